namespace MeshHook.Deployment.Stages;

/// <summary>
/// Watches deployments as they run (Polly's telemetry listener is the model): the notifiers, the console and the
/// reliability harness plug in here instead of being written inline in <see cref="Deployer"/>. Every method has a default
/// that does nothing, so an observer implements only what it needs. A call that throws or takes longer than
/// <see cref="Deployer.ObserverTimeout"/> becomes a warning: an observer never fails nor blocks a deploy.
/// </summary>
public interface IDeploymentObserver
{
    /// <summary>The lock is held and the journal says started.</summary>
    Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A stage ended (succeeded, failed or cancelled).</summary>
    Task StageFinishedAsync(StageFinished stage, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Something worth telling people that does not change the outcome: a lock waited for or taken over, an automatic rollback, a migration that stays.</summary>
    Task WarningAsync(DeploymentWarning warning, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The deployment ended: succeeded, failed, rolled back (automatically) or cancelled; the journal says so already.</summary>
    Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A deployment that has started: what it deploys, where, for whom.</summary>
public sealed record DeploymentStarted(string DeploymentId, DeploymentKind Kind, string Environment, string ReleaseId, string? PreviousReleaseId,
    string Actor, string? Commit, DateTimeOffset At);

public sealed record StageFinished(DeploymentStarted Deployment, string Stage, string Outcome, TimeSpan Duration, string? Error);

public enum DeploymentWarningKind
{
    /// <summary>Another deploy held the lock; this one waited for it (--lock-wait).</summary>
    WaitedForLock,

    /// <summary>The lock's holder was gone (killed run): the lock was taken over.</summary>
    StaleLockTakenOver,

    /// <summary>A stage failed after the switch: the previous release is being switched back to.</summary>
    AutomaticRollback,

    /// <summary>Migrations were applied and stay although the release they came with is not serving (forward-only).</summary>
    MigrationNotUndone,
}

public sealed record DeploymentWarning(DeploymentStarted Deployment, DeploymentWarningKind Kind, string Message);

/// <summary>How a deployment ended (<see cref="Journal.Outcomes"/>), where it stopped and why.</summary>
public sealed record DeploymentFinished(DeploymentStarted Deployment, string Outcome, string? Stage, string? Error, TimeSpan Duration);
