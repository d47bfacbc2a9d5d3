using Octokit;

namespace MeshHook.Deployment.Notifications.GitHub;

/// <summary>The Deployments API requests of an announcement (pure: what <see cref="GitHubNotifier"/> sends).</summary>
public static class GitHubDeploymentRequests
{
    public const int MaxDescription = 140;

    /// <summary>
    /// A deployment of <paramref name="gitRef"/> to the environment; never merges the default branch in and waits for no
    /// status checks (the release was built and tested already); production marked as such.
    /// </summary>
    public static NewDeployment Create(Announcement a, string gitRef, string deploymentKey) => new(gitRef)
    {
        Environment = a.Environment,
        AutoMerge = false,
        RequiredContexts = [],
        ProductionEnvironment = a.IsProduction,
        TransientEnvironment = false,
        Task = "deploy",
        Description = Cut($"{a.Verb} {a.Version ?? a.Release} by {a.Actor}"),
        Payload = new Dictionary<string, string> { ["deploymentId"] = deploymentKey, ["release"] = a.Release },
    };

    public static NewDeploymentStatus Status(Announcement a, DeploymentState state, string description) => new(state)
    {
        Environment = a.Environment,
        EnvironmentUrl = a.EnvironmentUrl?.ToString(),
        LogUrl = a.RunUrl?.ToString(),
        Description = Cut(description),
        // Older non-production deployments become inactive by themselves; production's are marked by us.
        AutoInactive = !a.IsProduction,
    };

    /// <summary>The state an outcome is reported with: success, failure (the deploy failed) or error (it could not finish).</summary>
    public static DeploymentState StateOf(AnnouncementKind kind) => kind switch
    {
        AnnouncementKind.Started => DeploymentState.InProgress,
        AnnouncementKind.Succeeded => DeploymentState.Success,
        AnnouncementKind.Failed or AnnouncementKind.RolledBack => DeploymentState.Failure,
        _ => DeploymentState.Error,
    };

    static string Cut(string text) => text.Length <= MaxDescription ? text : text[..(MaxDescription - 1)] + "…";
}
