namespace MeshHook.Build.Engine.Configuration.GitHubActions;

/// <summary>A scope of the job's GITHUB_TOKEN (and OIDC token) that <c>permissions:</c> grants.</summary>
public enum GitHubActionsPermission
{
    Actions,
    Attestations,
    Checks,
    Contents,
    Deployments,
    IdToken,
    Issues,
    Packages,
    PullRequests,
    Statuses,
}

internal static class GitHubActionsPermissionNames
{
    public static string Key(this GitHubActionsPermission permission) => permission switch
    {
        GitHubActionsPermission.IdToken => "id-token",
        GitHubActionsPermission.PullRequests => "pull-requests",
        _ => permission.ToString().ToLowerInvariant(),
    };
}
