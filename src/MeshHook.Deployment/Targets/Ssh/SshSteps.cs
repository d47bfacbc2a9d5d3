using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>A step on one host: every description starts with the host, so a plan reads host by host.</summary>
public abstract record SshStep(SshHost Host) : DeployStep
{
    public sealed override string Describe() => $"on {Host.Name}: {What()}";

    protected abstract string What();
}

/// <summary>A local file and where it goes on the host.</summary>
public sealed record Upload(string Local, string Remote, string Sha256, long Size);

/// <summary>Copy files to the host over SFTP (a release's archives: once per host, hosts in parallel).</summary>
public sealed record UploadFiles(SshHost Host, IReadOnlyList<Upload> Files) : SshStep(Host)
{
    protected override string What() => $"upload {string.Join(", ", Files.Select(x => Path.GetFileName(x.Local)))} to {Path.GetDirectoryName(Files[0].Remote)}/ over SFTP";
}

/// <summary>Check on the host (sha256sum there) that every uploaded file has the release's checksum and size, before anything changes.</summary>
public sealed record VerifyUploads(SshHost Host, IReadOnlyList<Upload> Files) : SshStep(Host)
{
    protected override string What() => $"verify the sha256 of {string.Join(", ", Files.Select(x => Path.GetFileName(x.Remote)))} with sha256sum on the host";
}

/// <summary>The process launcher (launch.mjs, embedded in this library) copied to the host.</summary>
public sealed record InstallLauncher(SshHost Host, string Remote) : SshStep(Host)
{
    protected override string What() => $"install the process launcher at {Remote}";
}

/// <summary>A directory of this machine (the built edge) copied to the host, into place by rename.</summary>
public sealed record UploadDirectory(SshHost Host, string Name, string Local, string Remote) : SshStep(Host)
{
    protected override string What() => $"upload {Name} ({Local}) to {Remote}";
}

/// <summary>
/// Run commands on the host, in order, in one round trip (joined by &amp;&amp;: the first failure stops the rest); all must
/// succeed. Steps that always go together are one round trip: each costs a session and a login shell on the host.
/// </summary>
public sealed record RunRemote(SshHost Host, IReadOnlyList<RemoteCommand> Commands) : SshStep(Host)
{
    public RunRemote(SshHost host, params RemoteCommand[] commands) : this(host, (IReadOnlyList<RemoteCommand>)commands)
    {
    }

    protected override string What() => RemoteCommand.ToShell(Commands);
}

/// <summary>The configuration, secrets resolved, written to a 0600 file on the host (values never in the plan).</summary>
public sealed record WriteRemoteEnvironmentFile(SshHost Host, string Remote, IReadOnlyList<string> Keys) : SshStep(Host)
{
    protected override string What() => $"write {Remote} (mode 0600) with {string.Join(", ", Keys)}";
}

/// <summary>What a started process is on its host: written to run/&lt;name&gt;.json there.</summary>
public sealed record RemoteProcess(string Name, string? Release, int? Port, int Pid, DateTimeOffset StartedAt, string Log);

/// <summary>Start a process detached on the host through launch.mjs (its keeper's pid recorded in run/&lt;name&gt;.json).</summary>
public sealed record StartRemote(SshHost Host, string Name, string? Release, int? Port, string Log, RemoteCommand Launch, bool KeepIfRunning = false) : SshStep(Host)
{
    protected override string What() => $"start {Name}{(KeepIfRunning ? " unless it runs" : "")}: {Launch.Describe()}";
}

/// <summary>
/// Start a host's processes in one round trip: their previous exit files removed (the health check must not read an old
/// one as theirs), then each launched in order, the first failure stopping the rest. Each that printed its pid is recorded.
/// </summary>
public sealed record StartProcesses(SshHost Host, RemoteCommand ClearExitFiles, IReadOnlyList<StartRemote> Processes) : SshStep(Host)
{
    public IReadOnlyList<RemoteCommand> Commands => [ClearExitFiles, .. Processes.Select(x => x.Launch)];

    protected override string What() =>
        $"start {string.Join(", ", Processes.Select(x => x.Name + (x.KeepIfRunning ? " (unless it runs)" : "")))} in one round trip: {RemoteCommand.ToShell(Commands)}";
}

/// <summary>Stop a process of the host (SIGTERM to its group, SIGKILL after the grace). Best effort: an unreachable host is a warning.</summary>
public sealed record StopRemote(SshHost Host, string Name, TimeSpan Grace, bool BestEffort = false) : SshStep(Host)
{
    protected override string What() => $"stop {Name} (SIGTERM, SIGKILL after {Grace.TotalSeconds:0} s){(BestEffort ? ", if the host answers" : "")}";
}

/// <summary>
/// Poll the health endpoints of a host's new processes from the host itself (release ports listen on its loopback), all
/// at once by one program in one round trip, until each reports status ok at the version; the first that fails ends it.
/// </summary>
public sealed record HostHealth(SshHost Host, IReadOnlyList<HostHealth.Endpoint> Endpoints, string Version) : SshStep(Host)
{
    /// <summary>A process and its health URL on the host.</summary>
    public sealed record Endpoint(string Name, Uri Url);

    protected override string What() =>
        $"poll {string.Join(" and ", Endpoints.Select(x => $"{x.Url} ({x.Name})"))} on the host until {(Endpoints.Count == 1 ? "it reports" : "each reports")} status ok at {Version}";
}

/// <summary>
/// Wait until the edge this run started on the host answers at its /_edge/status (from this machine): it is found up, and
/// warm, before the switch, where the hosts take turns.
/// </summary>
public sealed record EdgeReady(SshHost Host, Uri EdgeUrl) : SshStep(Host)
{
    public Uri StatusUrl => new(EdgeUrl, "/_edge/status");

    protected override string What() => $"poll {StatusUrl} until the edge answers";
}

/// <summary>Point the host's edge at a release (edge.json replaced by rename), confirmed at its /_edge/status, and current with it.</summary>
public sealed record SwitchHost(SshHost Host, string ReleaseId, int UpstreamPort, Uri EdgeUrl) : SshStep(Host)
{
    protected override string What() => $"switch the edge at {EdgeUrl} to {ReleaseId} (127.0.0.1:{UpstreamPort}) and current to releases/{ReleaseId}";
}

/// <summary>Check the host's stable URL (its edge) answers healthy at the version, from this machine.</summary>
public sealed record VerifyHost(SshHost Host, Uri Url, string Version) : SshStep(Host)
{
    protected override string What() => $"poll {Url} until status is ok and version is {Version}";
}

/// <summary>Where a host goes back to when a later group fails: its previous release's web port.</summary>
public sealed record SwitchBackTarget(SshHost Host, string ReleaseId, int UpstreamPort, Uri EdgeUrl);

/// <summary>
/// After a failure in a later group: every host this run already switched goes back to its previous release (newest
/// group first) and is verified; hosts not switched yet were never touched. The journal gets an entry per host.
/// </summary>
public sealed record SwitchBackSwitchedHosts(IReadOnlyList<SwitchBackTarget> Targets, Uri? VerifyPath) : DeployStep
{
    public override string Describe() =>
        $"switch back each host already switched ({string.Join(", ", Targets.Select(x => $"{x.Host.Name} to {x.ReleaseId}"))}), newest group first, and verify it";
}
