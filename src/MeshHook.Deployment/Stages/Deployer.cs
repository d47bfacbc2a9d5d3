using System.Diagnostics;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;

namespace MeshHook.Deployment.Stages;

/// <summary>
/// Runs a plan, the same for every target kind: validate (read-only, before anything changes) → lock → journal
/// started → the stages, each journaled with its start and duration → on failure before the switch, stop the new
/// release (the old one keeps serving); on failure after the switch, switch back and verify (rolled_back) → journal the
/// outcome → release the lock. A run killed half-way is closed as aborted by the next one that takes the lock.
/// Ctrl+C/SIGTERM (the token) before the switch stops the new release and journals the deploy as cancelled (the old
/// release keeps serving); from the switch on the token is no longer passed: the deploy finishes verifying (or rolls
/// back), so an interrupt never leaves the environment half-switched.
/// </summary>
public sealed class Deployer(IDeploymentJournal journal, IEnvironmentLock environmentLock, IStepRunner runner, TimeProvider time, DeploymentLog log)
{
    /// <summary>A fault to inject (reliability tests only; null in normal runs).</summary>
    public FaultInjection? Fault { get; init; }

    /// <summary>Told of the deployment's start, stages, warnings and outcome (notifiers, harness); never fail the deploy.</summary>
    public IReadOnlyList<IDeploymentObserver> Observers { get; init; } = [];

    /// <summary>Warnings the caller found before the run (a manual rollback's migrations that stay), told to the observers once it has started.</summary>
    public IReadOnlyList<(DeploymentWarningKind Kind, string Message)> Warnings { get; init; } = [];

    /// <summary>How long one observer call may take before it is reported as a warning and left behind.</summary>
    public TimeSpan ObserverTimeout { get; init; } = TimeSpan.FromSeconds(60);

    DeploymentObservers Observed => new(Observers, ObserverTimeout, time, log);
    DeploymentStarted? _started;
    List<(DeploymentWarningKind Kind, string Message)> _lockWarnings = [];

    /// <summary>Runs right after the lock is taken: the target repairs what a killed run left (stale processes, the edge).</summary>
    public Func<CancellationToken, Task>? Recover { get; init; }

    public Task<DeploymentResult> RunAsync(DeploymentPlan plan, DeploymentRequest request, CancellationToken cancellationToken) =>
        RunAsync(() => plan, request, cancellationToken);

    /// <summary>
    /// The plan is made before the lock (to validate) and again once the lock is held and a killed run's leftovers are
    /// repaired, so the stages act on the state as it is then.
    /// </summary>
    public async Task<DeploymentResult> RunAsync(Func<DeploymentPlan> makePlan, DeploymentRequest request, CancellationToken cancellationToken)
    {
        var plan = makePlan();
        var started = Stopwatch.StartNew();
        (_started, _lockWarnings) = (null, []);
        var validate = plan.Stages.FirstOrDefault(x => x.Name == Stage.Validate);
        if (validate is not null)
        {
            log.Information($"==> {Stage.Validate}");
            foreach (var step in validate.Steps)
                await runner.RunAsync(step, cancellationToken);
        }

        var deploymentId = NewDeploymentId(plan);
        var lockStarted = time.GetUtcNow();
        log.Information($"==> {Stage.Lock}");
        var holder = new LockHolder(deploymentId, plan.Kind.ToString().ToLowerInvariant(), plan.ReleaseId, Environment.ProcessId,
            ProcessIdentity.Current.StartTicks, Environment.MachineName, request.Actor, lockStarted);
        var heldBefore = Observers.Count > 0 ? await environmentLock.ReadHolderAsync(cancellationToken) : null;
        var lockWarnings = await environmentLock.AcquireAsync(holder, request.LockWait, cancellationToken);
        foreach (var warning in lockWarnings)
            log.Warning(warning);
        foreach (var warning in lockWarnings)
            _lockWarnings.Add((DeploymentWarningKind.StaleLockTakenOver, warning));
        if (heldBefore is not null && lockWarnings.Count == 0)
            _lockWarnings.Add((DeploymentWarningKind.WaitedForLock,
                $"Waited {(time.GetUtcNow() - lockStarted).TotalSeconds:0} s for the lock held by {heldBefore.Describe()}."));

        try
        {
            await CloseAbandonedDeploymentsAsync();
            if (Recover is not null)
            {
                await Recover(cancellationToken);
                plan = makePlan();
            }
            await journal.AppendAsync(new JournalEntry
            {
                Type = JournalEntryTypes.Started, DeploymentId = deploymentId, At = lockStarted,
                Kind = plan.Kind.ToString().ToLowerInvariant(), Environment = plan.Environment, Release = plan.ReleaseId,
                PreviousRelease = plan.PreviousReleaseId, Actor = request.Actor, Commit = request.Commit, Override = request.Override,
            }, CancellationToken.None);
            await JournalAsync(deploymentId, Stage.Lock, lockStarted, Outcomes.Succeeded);
            _started = new DeploymentStarted(deploymentId, plan.Kind, plan.Environment, plan.ReleaseId, plan.PreviousReleaseId, request.Actor,
                request.Commit, lockStarted);
            await Observed.NotifyAsync("started", (x, token) => x.StartedAsync(_started, token));
            foreach (var (kind, message) in _lockWarnings)
                await WarnAsync(kind, message);
            foreach (var (kind, message) in Warnings)
                await WarnAsync(kind, message);

            var outcome = await RunStagesAsync(plan, deploymentId, cancellationToken);
            return new DeploymentResult(deploymentId, outcome, plan.ReleaseId, started.Elapsed, plan.Kind);
        }
        finally
        {
            await environmentLock.ReleaseAsync(deploymentId, CancellationToken.None);
        }
    }

    /// <summary>
    /// Recovery without a deploy (Status after a killed run): take the lock (a stale one is taken over), close what the
    /// killed run left open as aborted, let the target repair itself, release the lock. A live holder is left alone.
    /// </summary>
    public async Task RepairAsync(string actor, CancellationToken cancellationToken)
    {
        var holder = new LockHolder($"recover-{time.GetUtcNow():yyyyMMdd-HHmmss}", "recovery", null, Environment.ProcessId,
            ProcessIdentity.Current.StartTicks, Environment.MachineName, actor, time.GetUtcNow());
        foreach (var warning in await environmentLock.AcquireAsync(holder, TimeSpan.Zero, cancellationToken))
            log.Warning(warning);
        try
        {
            await CloseAbandonedDeploymentsAsync();
            if (Recover is not null)
                await Recover(cancellationToken);
        }
        finally
        {
            await environmentLock.ReleaseAsync(holder.DeploymentId, CancellationToken.None);
        }
    }

    async Task<string> RunStagesAsync(DeploymentPlan plan, string deploymentId, CancellationToken cancellationToken)
    {
        var switched = false;
        foreach (var stage in plan.Stages.Where(x => x.Name is not (Stage.Validate or Stage.Lock)))
        {
            var stageStarted = time.GetUtcNow();
            log.Information($"==> {stage.Name}");
            try
            {
                if (stage.Name == Stage.Switch)
                {
                    // The last moment an interrupt can still leave the old release serving untouched.
                    cancellationToken.ThrowIfCancellationRequested();
                    switched = true;
                }
                // From the switch on, steps run to the end (verified, else rolled back) even after Ctrl+C. (An injected
                // hang still ends on the token: it stands for a step that never returns, as the reliability tests use it.)
                var stageToken = switched ? CancellationToken.None : cancellationToken;
                if (Fault is not null)
                    await Fault.InjectAsync(stage.Name, afterFirstStep: false, cancellationToken);
                if (Fault is not null && stage.Steps.Count == 0)
                    await Fault.InjectAsync(stage.Name, afterFirstStep: true, cancellationToken);
                for (var index = 0; index < stage.Steps.Count; index++)
                {
                    log.Information($"    {stage.Steps[index].Describe()}");
                    await runner.RunAsync(stage.Steps[index], stageToken);
                    if (index == 0 && Fault is not null)
                        await Fault.InjectAsync(stage.Name, afterFirstStep: true, cancellationToken);
                }
                await JournalAsync(deploymentId, stage.Name, stageStarted, Outcomes.Succeeded);
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Succeeded, null);
            }
            catch (OperationCanceledException exception) when (!switched && cancellationToken.IsCancellationRequested)
            {
                await JournalAsync(deploymentId, stage.Name, stageStarted, Outcomes.Cancelled, "cancelled (Ctrl+C or SIGTERM)");
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Cancelled, "cancelled (Ctrl+C or SIGTERM)");
                throw await CancelAsync(plan, deploymentId, stage.Name, exception);
            }
            catch (Exception exception) when (stage.Name == Stage.CleanUp && exception is not OperationCanceledException)
            {
                // The new release is live and verified: a clean-up problem is worth a warning, not a failed deploy. The
                // target's repair then stops what the clean-up left running, so no other release keeps running.
                await JournalAsync(deploymentId, stage.Name, stageStarted, Outcomes.Failed, exception.Message);
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Failed, exception.Message);
                log.Warning($"Clean-up after the deploy failed (the new release is live): {exception.Message}");
                if (Recover is not null)
                    await Recover(CancellationToken.None);
            }
            catch (Exception exception)
            {
                await JournalAsync(deploymentId, stage.Name, stageStarted, Outcomes.Failed, exception.Message);
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Failed, exception.Message);
                if (switched && plan.PreviousReleaseId is not null)
                    await WarnAsync(DeploymentWarningKind.AutomaticRollback,
                        $"{plan.Kind} of {plan.ReleaseId} failed at '{stage.Name}' after the switch: rolling back automatically to {plan.PreviousReleaseId}.");
                if (MigrationsStay(plan, stage.Name))
                    await WarnAsync(DeploymentWarningKind.MigrationNotUndone,
                        $"The migrations of {plan.ReleaseId} were applied and stay (forward-only): the release that serves now must work with them.");
                throw await RecoverAsync(plan, deploymentId, stage.Name, switched, exception);
            }
        }

        if (cancellationToken.IsCancellationRequested)
            log.Warning($"Interrupted after the switch: {plan.ReleaseId} was verified and stays live.");
        await FinishAsync(deploymentId, Outcomes.Succeeded, null);
        await FinishedAsync(Outcomes.Succeeded, null, null);
        return Outcomes.Succeeded;
    }

    /// <summary>
    /// Interrupted before the switch: stop what the deploy started (the old release was never touched and keeps serving)
    /// and journal the deploy as cancelled. Returns the exception to throw: a cancellation, so the build reports the
    /// target as aborted and exits 130, not as a failure.
    /// </summary>
    async Task<Exception> CancelAsync(DeploymentPlan plan, string deploymentId, string stage, OperationCanceledException cancellation)
    {
        log.Warning($"{plan.Kind} cancelled at '{stage}', before the switch: stopping {plan.ReleaseId}; " +
                    $"{plan.PreviousReleaseId ?? "nothing"} keeps serving.");
        var recoveryStarted = time.GetUtcNow();
        try
        {
            foreach (var step in plan.OnFailureBeforeSwitch)
            {
                log.Information($"    {step.Describe()}");
                // To the end even after a second signal reached us here: the new release must not keep running.
                await runner.RunAsync(step, CancellationToken.None);
            }
        }
        catch (Exception recoveryFailure)
        {
            await JournalAsync(deploymentId, "recover", recoveryStarted, Outcomes.Failed, recoveryFailure.Message);
            await FinishAsync(deploymentId, Outcomes.Failed, $"cancelled at '{stage}' (then stopping {plan.ReleaseId} failed: {recoveryFailure.Message})");
            await FinishedAsync(Outcomes.Failed, stage, $"cancelled at '{stage}' (then stopping {plan.ReleaseId} failed: {recoveryFailure.Message})");
            return new DeploymentFailedException(
                $"{plan.Kind} of {plan.ReleaseId} was cancelled at '{stage}', and stopping it failed: {recoveryFailure.Message}", Outcomes.Failed, stage);
        }

        await JournalAsync(deploymentId, "recover", recoveryStarted, Outcomes.Succeeded);
        await FinishAsync(deploymentId, Outcomes.Cancelled, $"cancelled at '{stage}' before the switch");
        await FinishedAsync(Outcomes.Cancelled, stage, $"cancelled at '{stage}' before the switch");
        return new OperationCanceledException(
            $"{plan.Kind} of {plan.ReleaseId} was cancelled at '{stage}'. " +
            (plan.PreviousReleaseId is null ? "No release was serving before; none is now." : $"{plan.PreviousReleaseId} kept serving throughout."),
            cancellation, cancellation.CancellationToken);
    }

    async Task<DeploymentFailedException> RecoverAsync(DeploymentPlan plan, string deploymentId, string stage, bool switched, Exception failure)
    {
        var reason = failure is OperationCanceledException ? "it was cancelled" : failure.Message;
        var steps = switched ? plan.OnFailureAfterSwitch : plan.OnFailureBeforeSwitch;
        log.Warning(switched && plan.PreviousReleaseId is not null
            ? $"{plan.Kind} failed at '{stage}' after the switch: switching back to {plan.PreviousReleaseId}."
            : $"{plan.Kind} failed at '{stage}': stopping {plan.ReleaseId}; {(plan.PreviousReleaseId ?? "nothing")} keeps serving.");
        var recoveryStarted = time.GetUtcNow();
        try
        {
            foreach (var step in steps)
            {
                log.Information($"    {step.Describe()}");
                // Recovery runs to the end even after Ctrl+C: leaving two releases half-switched is worse.
                await runner.RunAsync(step, CancellationToken.None);
            }
        }
        catch (Exception recoveryFailure)
        {
            await JournalAsync(deploymentId, "recover", recoveryStarted, Outcomes.Failed, recoveryFailure.Message);
            await FinishAsync(deploymentId, Outcomes.Failed, $"{reason} (then recovery failed: {recoveryFailure.Message})");
            await FinishedAsync(Outcomes.Failed, stage, $"{reason} (then recovery failed: {recoveryFailure.Message})");
            return new DeploymentFailedException(
                $"{plan.Kind} of {plan.ReleaseId} failed at '{stage}': {reason}\nRecovery failed too: {recoveryFailure.Message}", Outcomes.Failed, stage);
        }

        var outcome = switched && plan.PreviousReleaseId is not null ? Outcomes.RolledBack : Outcomes.Failed;
        await JournalAsync(deploymentId, "recover", recoveryStarted, Outcomes.Succeeded);
        await FinishAsync(deploymentId, outcome, reason);
        await FinishedAsync(outcome, stage, reason);
        return new DeploymentFailedException(outcome == Outcomes.RolledBack
            ? $"{plan.Kind} of {plan.ReleaseId} failed at '{stage}' and was rolled back automatically to {plan.PreviousReleaseId}, which is serving and verified: {reason}"
            : $"{plan.Kind} of {plan.ReleaseId} failed at '{stage}': {reason}\n{(plan.PreviousReleaseId is null ? "No release was serving before; none is now." : $"{plan.PreviousReleaseId} kept serving throughout.")}",
            outcome, stage);
    }

    // Journal writes and the lock's release take no token: after Ctrl+C the outcome must still be recorded and the lock freed.

    /// <summary>Entries left open by a run that was killed: we hold the lock, so nobody else is running them.</summary>
    public async Task CloseAbandonedDeploymentsAsync()
    {
        foreach (var record in (await journal.ReadDeploymentsAsync(CancellationToken.None)).Where(x => x.IsOpen))
        {
            log.Warning($"Deployment {record.Id} ({record.Kind} of {record.Release}) never finished (the run was killed at '{record.LastStage ?? "start"}'): closing it as aborted.");
            await journal.AppendAsync(new JournalEntry
            {
                Type = JournalEntryTypes.Finished, DeploymentId = record.Id, At = time.GetUtcNow(), Outcome = Outcomes.Aborted,
                Stage = record.LastStage, Error = $"the run was killed during or after '{record.LastStage ?? "start"}'",
            }, CancellationToken.None);
        }
    }

    Task JournalAsync(string deploymentId, string stage, DateTimeOffset stageStarted, string outcome, string? error = null) =>
        journal.AppendAsync(new JournalEntry
        {
            Type = JournalEntryTypes.Stage, DeploymentId = deploymentId, At = time.GetUtcNow(), Stage = stage, StartedAt = stageStarted,
            DurationMs = (long)(time.GetUtcNow() - stageStarted).TotalMilliseconds, Outcome = outcome, Error = error,
        }, CancellationToken.None);

    Task FinishAsync(string deploymentId, string outcome, string? error) =>
        journal.AppendAsync(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = deploymentId, At = time.GetUtcNow(), Outcome = outcome, Error = error },
            CancellationToken.None);

    Task StageFinishedAsync(string stage, DateTimeOffset stageStarted, string outcome, string? error) => _started is null
        ? Task.CompletedTask
        : Observed.NotifyAsync($"stage {stage}", (x, token) => x.StageFinishedAsync(new StageFinished(_started, stage, outcome, time.GetUtcNow() - stageStarted, error), token));

    Task WarnAsync(DeploymentWarningKind kind, string message) => _started is null
        ? Task.CompletedTask
        : Observed.NotifyAsync("warning", (x, token) => x.WarningAsync(new DeploymentWarning(_started, kind, message), token));

    Task FinishedAsync(string outcome, string? stage, string? error) => _started is null
        ? Task.CompletedTask
        : Observed.NotifyAsync(outcome, (x, token) => x.FinishedAsync(new DeploymentFinished(_started, outcome, stage, error, time.GetUtcNow() - _started.At), token));

    /// <summary>A deploy that got past its migrations and then failed leaves them applied: a rollback never undoes them.</summary>
    static bool MigrationsStay(DeploymentPlan plan, string failedStage)
    {
        var names = plan.Stages.Select(x => x.Name).ToList();
        var migrate = names.IndexOf(Stage.Migrate);
        return plan.Kind == DeploymentKind.Deploy && migrate >= 0 && plan.Stages[migrate].Steps.Count > 0 && names.IndexOf(failedStage) > migrate;
    }

    string NewDeploymentId(DeploymentPlan plan) =>
        $"{plan.Kind.ToString().ToLowerInvariant()[0]}-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
}
