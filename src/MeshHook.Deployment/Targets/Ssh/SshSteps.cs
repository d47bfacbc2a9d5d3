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

/// <summary>Run one command on the host; it must succeed.</summary>
public sealed record RunRemote(SshHost Host, RemoteCommand Command) : SshStep(Host)
{
    protected override string What() => Command.Describe();
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

/// <summary>Stop a process of the host (SIGTERM to its group, SIGKILL after the grace). Best effort: an unreachable host is a warning.</summary>
public sealed record StopRemote(SshHost Host, string Name, TimeSpan Grace, bool BestEffort = false) : SshStep(Host)
{
    protected override string What() => $"stop {Name} (SIGTERM, SIGKILL after {Grace.TotalSeconds:0} s){(BestEffort ? ", if the host answers" : "")}";
}

/// <summary>Poll a health endpoint from the host itself (release ports listen on its loopback) until status ok at the version.</summary>
public sealed record HostHealth(SshHost Host, string Name, Uri Url, string Version) : SshStep(Host)
{
    protected override string What() => $"poll {Url} on the host until {Name} reports status ok at {Version}";
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
