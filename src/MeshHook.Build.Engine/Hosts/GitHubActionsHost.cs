namespace MeshHook.Build.Engine;

/// <summary>
/// GitHub Actions: a collapsible group per target, annotations for warnings and errors, <c>::add-mask::</c> for every secret
/// value, and a Markdown summary appended to <c>$GITHUB_STEP_SUMMARY</c>. Parallel targets are buffered per target because
/// groups cannot interleave.
/// </summary>
public sealed class GitHubActionsHost(IReadOnlyDictionary<string, string> environment) : Host
{
    public override HostKind Kind => HostKind.GitHubActions;

    public override bool BuffersParallelTargets => true;

    public override string FormatLine(LogLevel level, string line) => level switch
    {
        LogLevel.Error => "::error::" + Escape(line),
        LogLevel.Warning => "::warning::" + Escape(line),
        _ => line,
    };

    public override string FormatSecretRegistration(string value) => "::add-mask::" + Escape(value);

    public override string TargetHeader(string target) => "::group::" + Escape(target);

    public override string TargetFooter(string target) => "::endgroup::";

    public override string FormatFailure(string target, string message) =>
        $"::error title=Target {Escape(target)} failed::{Escape(message)}";

    public override void PublishSummary(string markdown)
    {
        if (environment.GetValueOrDefault("GITHUB_STEP_SUMMARY") is { Length: > 0 } file)
            File.AppendAllText(file, markdown);
    }

    /// <summary>Workflow commands end at a newline; %, CR and LF are escaped as GitHub documents.</summary>
    public static string Escape(string value) =>
        value.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");
}
