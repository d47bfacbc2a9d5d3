namespace MeshHook.Deployment.Releases;

/// <summary>
/// Who built a release (release.json's <c>builder</c>): <c>github-actions@{repository}/actions/runs/{run id}</c> on CI,
/// <c>{user}@{machine}</c> elsewhere. Production takes only CI-built releases (unless --force with a reason): a guard
/// against deploying a laptop build by mistake, not against someone forging it; the GitHub environment's reviewers are the gate.
/// </summary>
public static class ReleaseOrigin
{
    public const string CiPrefix = "github-actions@";

    /// <summary>The builder to record for a release packaged in the process environment <paramref name="variables"/>.</summary>
    public static string Builder(IReadOnlyDictionary<string, string> variables) =>
        InGitHubActions(variables)
            ? $"{CiPrefix}{variables.GetValueOrDefault("GITHUB_REPOSITORY") ?? "unknown"}/actions/runs/{variables.GetValueOrDefault("GITHUB_RUN_ID") ?? "unknown"}"
            : $"{System.Environment.UserName}@{System.Environment.MachineName}";

    public static bool IsBuiltOnCi(ReleaseManifest release) => release.Builder.StartsWith(CiPrefix, StringComparison.Ordinal);

    public static bool InGitHubActions(IReadOnlyDictionary<string, string> variables) =>
        string.Equals(variables.GetValueOrDefault("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
}
