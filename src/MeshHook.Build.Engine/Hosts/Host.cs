namespace MeshHook.Build.Engine;

public enum HostKind
{
    Terminal,
    GitHubActions,
}

/// <summary>Where the build runs; decides how target boundaries, warnings, errors, secrets and the summary are shown.</summary>
public abstract class Host
{
    public abstract HostKind Kind { get; }

    public bool IsLocal => Kind == HostKind.Terminal;

    /// <summary>Collect each target's lines and write them together when it ends (instead of prefixing them).</summary>
    public virtual bool BuffersParallelTargets => false;

    public static HostKind Detect(IReadOnlyDictionary<string, string> environment) =>
        environment.GetValueOrDefault("GITHUB_ACTIONS") == "true" ? HostKind.GitHubActions : HostKind.Terminal;

    public static Host Create(HostKind kind, IReadOnlyDictionary<string, string> environment, bool colors) => kind switch
    {
        HostKind.GitHubActions => new GitHubActionsHost(environment),
        _ => new TerminalHost(colors),
    };

    public virtual string FormatLine(LogLevel level, string line) => line;

    /// <summary>A line that tells the log viewer to mask this value, written before any other output (null: none).</summary>
    public virtual string? FormatSecretRegistration(string value) => null;

    public abstract string TargetHeader(string target);

    public virtual string? TargetFooter(string target) => null;

    public virtual string? FormatFailure(string target, string message) => null;

    /// <summary>Receives the finished build's summary as masked Markdown (GitHub: the job summary page).</summary>
    public virtual void PublishSummary(string markdown)
    {
    }
}
