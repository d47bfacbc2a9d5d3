using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Journal;

/// <summary>
/// Writes a deployment's journal from the <see cref="Deployer"/>'s events: started (with the lock stage, which ends when
/// the deployment is under way), each stage with its start, duration, outcome and error, the <c>recover</c> stage after a
/// failure or an interrupt, and finished with the outcome. The shape of the entries is what the report, status,
/// releases, the closing of killed runs and notify-from-journal read. The <see cref="Deployer"/> registers it itself, as
/// its first required participant: a deploy that cannot be journaled fails (the next run could not tell it was killed),
/// and the journal has recorded each event before any notifier hears of it. Writes take no token: after Ctrl+C the
/// outcome must still be recorded.
/// </summary>
public sealed class JournalRecorder(IDeploymentJournal journal, TimeProvider time) : IDeploymentObserver
{
    public async Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken)
    {
        await journal.AppendAsync(new JournalEntry
        {
            Type = JournalEntryTypes.Started, DeploymentId = started.DeploymentId, At = started.At,
            Kind = started.Kind.ToString().ToLowerInvariant(), Environment = started.Environment, Release = started.ReleaseId,
            PreviousRelease = started.PreviousReleaseId, Actor = started.Actor, Commit = started.Commit, Override = started.Override,
        }, CancellationToken.None);
        await AppendStageAsync(started.DeploymentId, Stage.Lock, started.At, Outcomes.Succeeded, null);
    }

    public Task StageFinishedAsync(StageFinished stage, CancellationToken cancellationToken) =>
        AppendStageAsync(stage.Deployment.DeploymentId, stage.Stage, stage.StartedAt, stage.Outcome, stage.Error, stage.Duration);

    public Task RecoveryFinishedAsync(StageFinished recovery, CancellationToken cancellationToken) =>
        AppendStageAsync(recovery.Deployment.DeploymentId, recovery.Stage, recovery.StartedAt, recovery.Outcome, recovery.Error, recovery.Duration);

    public Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) =>
        journal.AppendAsync(new JournalEntry
        {
            Type = JournalEntryTypes.Finished, DeploymentId = finished.Deployment.DeploymentId, At = time.GetUtcNow(),
            Outcome = finished.Outcome, Error = finished.Error,
        }, CancellationToken.None);

    /// <summary>The lock stage lasts from taking the lock until the deployment is started (a killed run's repair included).</summary>
    Task AppendStageAsync(string deploymentId, string stage, DateTimeOffset startedAt, string outcome, string? error, TimeSpan? duration = null)
    {
        var now = time.GetUtcNow();
        return journal.AppendAsync(new JournalEntry
        {
            Type = JournalEntryTypes.Stage, DeploymentId = deploymentId, At = now, Stage = stage, StartedAt = startedAt,
            DurationMs = (long)(duration ?? now - startedAt).TotalMilliseconds, Outcome = outcome, Error = error,
        }, CancellationToken.None);
    }
}
