using MeshHook.Deployment.Processes;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Stages;

/// <summary>
/// One effect of a deploy, described as data (Kamal's commands): a plan is a list of stages of steps that can be printed
/// (--dry-run) and checked in tests without running anything; one runner executes them.
/// </summary>
public abstract record DeployStep
{
    /// <summary>What the step does, in words a person reads in a dry run (never a secret value).</summary>
    public abstract string Describe();
}

/// <summary>Check every artifact of the release against release.json.</summary>
public sealed record VerifyRelease(string ReleaseId) : DeployStep
{
    public override string Describe() => $"verify the sha256 and size of every artifact of {ReleaseId}";
}

/// <summary>Unpack one artifact of a release (unsafe entries refuse the archive before anything is written).</summary>
public sealed record ExtractArtifact(string Archive, string Destination) : DeployStep
{
    public override string Describe() => $"extract {Path.GetFileName(Archive)} to {Destination}";
}

/// <summary>Write the environment's configuration, secrets resolved, to a file only its owner can read (0600).</summary>
public sealed record WriteEnvironmentFile(string Path, IReadOnlyList<string> Keys) : DeployStep
{
    public override string Describe() => $"write {Path} (mode 0600) with {string.Join(", ", Keys)}";
}

/// <summary>Run a program to completion (migrations, checks).</summary>
public sealed record RunTool(ToolCommand Command) : DeployStep
{
    public override string Describe() => "run " + Command.ToDisplayString();
}

/// <summary>Start a long-running program detached, unless one of that name is already running.</summary>
public sealed record StartProcess(ProcessSpec Spec, bool KeepIfRunning = false) : DeployStep
{
    public override string Describe() => $"start {Spec.Name}{(KeepIfRunning ? " (unless running)" : "")}: {Spec.Describe()}";
}

/// <summary>Wait until a TCP port accepts connections (a database or proxy that has no /health).</summary>
public sealed record WaitForPort(string Name, int Port, TimeSpan Timeout) : DeployStep
{
    public override string Describe() => $"wait up to {Timeout.TotalSeconds:0} s for {Name} on 127.0.0.1:{Port}";
}

/// <summary>Poll a /health endpoint until it reports status ok and the expected version.</summary>
public sealed record WaitForHealth(string Name, Uri Url, string Version, string? LogOf = null) : DeployStep
{
    public override string Describe() => $"poll {Url} until status is ok and version is {Version}";
}

/// <summary>Point the edge (the stable URL) at a release's web process and confirm it took effect.</summary>
public sealed record SwitchEdge(string ReleaseId, Uri Upstream) : DeployStep
{
    public override string Describe() => $"switch the edge to {ReleaseId} at {Upstream}";
}

/// <summary>Point <c>current</c> at a release (new symlink renamed over the old one: atomic).</summary>
public sealed record SwitchCurrent(string ReleaseId) : DeployStep
{
    public override string Describe() => $"point current at releases/{ReleaseId}";
}

/// <summary>Stop a process: SIGTERM, a grace period for in-flight work, then SIGKILL.</summary>
public sealed record StopProcess(string Name, TimeSpan Grace) : DeployStep
{
    public override string Describe() => $"stop {Name} (SIGTERM, up to {Grace.TotalSeconds:0} s to finish in-flight work)";
}

/// <summary>Delete a release folder (retention); never the current, previous or last known-good one.</summary>
public sealed record RemoveRelease(string ReleaseId) : DeployStep
{
    public override string Describe() => $"remove releases/{ReleaseId} (retention)";
}

/// <summary>Copy a file (the release's release.json next to its unpacked artifacts).</summary>
public sealed record CopyFile(string Source, string Destination) : DeployStep
{
    public override string Describe() => $"copy {Path.GetFileName(Source)} to {Destination}";
}

/// <summary>Copy a built program into the environment's state (it then runs from there, untouched by later builds).</summary>
public sealed record InstallProgram(string Name, string Source, string Destination) : DeployStep
{
    public override string Describe() => $"install {Name} from {Source} to {Destination}";
}
