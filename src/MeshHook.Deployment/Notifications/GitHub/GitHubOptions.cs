namespace MeshHook.Deployment.Notifications.GitHub;

/// <summary>
/// GitHub Deployments (<c>notifications[].kind = "github"</c>): settings <c>repository</c> (owner/name), <c>token</c> (a
/// secret reference; needs <c>deployments: write</c>), optionally <c>apiUrl</c> (GitHub Enterprise). Or for one run:
/// <c>GITHUB_TOKEN</c> + <c>GITHUB_REPOSITORY</c> (and <c>GITHUB_API_URL</c>, which GitHub Actions sets).
/// <see cref="InActionsJob"/>: running inside a GitHub Actions job (<c>GITHUB_ACTIONS=true</c>) whose <c>environment:</c>
/// already made a deployment for this commit and environment: that one is updated rather than a second created
/// (<c>GITHUB_DEPLOYMENT_ID</c>, when the workflow passes it, names it exactly).
/// </summary>
public sealed record GitHubOptions(string Owner, string Name, string Token, Uri ApiUrl)
{
    public static readonly Uri DefaultApiUrl = new("https://api.github.com/");

    public bool InActionsJob { get; init; }
    public long? ExistingDeploymentId { get; init; }
}
