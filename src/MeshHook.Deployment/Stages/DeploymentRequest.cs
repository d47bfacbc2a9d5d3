namespace MeshHook.Deployment.Stages;

/// <summary>Who deploys, and how long to wait for a lock held by someone else.</summary>
public sealed record DeploymentRequest(string Actor, string? Commit, TimeSpan LockWait)
{
    /// <summary>A protection rule overridden with --force and why (journaled in the started entry); null when none was.</summary>
    public string? Override { get; init; }
}
