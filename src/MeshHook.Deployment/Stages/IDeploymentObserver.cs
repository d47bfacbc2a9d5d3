namespace MeshHook.Deployment.Stages;

/// <summary>
/// Watches deployments as they run (Polly's telemetry listener and its chaos strategies are the model): the journal,
/// the notifiers, the console and the reliability harness's fault injection plug in here instead of being written
/// inline in <see cref="Deployer"/>. Every method has a default that does nothing, so an observer implements only what
/// it needs. How a call's failure counts is not the observer's choice but its registration's:
/// <see cref="Deployer.Observers"/> are best-effort listeners (a call that throws or takes longer than
/// <see cref="Deployer.ObserverTimeout"/> becomes a warning: they never fail nor block a deploy), while the journal and
/// <see cref="Deployer.Participants"/> are required (called first, unbounded, and what they throw is the deploy's).
/// </summary>
public interface IDeploymentObserver
{
    /// <summary>The lock is held and the journal says started.</summary>
    Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A stage is about to run its first step. Required participants get the deploy's own token (also after the switch,
    /// where the steps run on), and what they throw fails the stage as a step would: where a chaos participant injects a
    /// failure or a hang.
    /// </summary>
    Task StageStartingAsync(StageStarting stage, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A step of a stage ran to the end (same token and failure rules as <see cref="StageStartingAsync"/>).</summary>
    Task StepFinishedAsync(StepFinished step, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A stage ended (succeeded, failed or cancelled).</summary>
    Task StageFinishedAsync(StageFinished stage, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// After a failure or an interrupt, the recovery ended (<see cref="DeploymentPlan.OnFailureBeforeSwitch"/> or
    /// <see cref="DeploymentPlan.OnFailureAfterSwitch"/>, the automatic rollback): its <see cref="StageFinished.Stage"/>
    /// is <c>recover</c>. <see cref="FinishedAsync"/> follows with the outcome.
    /// </summary>
    Task RecoveryFinishedAsync(StageFinished recovery, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Something worth telling people that does not change the outcome: a lock waited for or taken over, an automatic rollback, a migration that stays.</summary>
    Task WarningAsync(DeploymentWarning warning, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The deployment ended: succeeded, failed, rolled back (automatically) or cancelled; the journal says so already.</summary>
    Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A deployment that has started: what it deploys, where, for whom.</summary>
public sealed record DeploymentStarted(string DeploymentId, DeploymentKind Kind, string Environment, string ReleaseId, string? PreviousReleaseId,
    string Actor, string? Commit, DateTimeOffset At)
{
    /// <summary>A protection rule overridden with --force, and the reason given.</summary>
    public string? Override { get; init; }
}

/// <summary>A stage about to run, with its steps (a stage may have none).</summary>
public sealed record StageStarting(DeploymentStarted Deployment, string Stage, IReadOnlyList<DeployStep> Steps, DateTimeOffset At);

/// <summary>Step <paramref name="Index"/> (from 0) of <paramref name="Stage"/> ran to the end.</summary>
public sealed record StepFinished(DeploymentStarted Deployment, string Stage, int Index, DeployStep Step);

public sealed record StageFinished(DeploymentStarted Deployment, string Stage, string Outcome, TimeSpan Duration, string? Error)
{
    /// <summary>When the stage started (the journal records it next to the duration).</summary>
    public required DateTimeOffset StartedAt { get; init; }
}

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
