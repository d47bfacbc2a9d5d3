namespace MeshHook.Deployment.Deploying;

/// <summary>How a Deploy or Rollback runs, whatever the target: who, whether forced or dry, how long to wait for the lock.</summary>
public sealed record DeployOptions
{
    public required string Actor { get; init; }
    public bool Force { get; init; }
    public bool DryRun { get; init; }
    public TimeSpan LockWait { get; init; }

    /// <summary>Why --force overrides the environment's protection (a dirty or non-CI release); journaled with the deployment.</summary>
    public string? Reason { get; init; }
}
