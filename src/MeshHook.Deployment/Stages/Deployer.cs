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
/// What happens is told as events (<see cref="IDeploymentObserver"/>) rather than written inline: the journal
/// (<see cref="JournalRecorder"/>, always registered, first), then <see cref="Participants"/>, both required, then the
/// best-effort <see cref="Observers"/> (<see cref="DeploymentObservers"/>).
/// </summary>
public sealed class Deployer(IDeploymentJournal journal, IEnvironmentLock environmentLock, IStepRunner runner, TimeProvider time, DeploymentLog log)
{
    /// <summary>
    /// Required participants, told of every event after the journal and before the <see cref="Observers"/>: unbounded,
    /// and what they throw fails the deploy (or, while a stage runs, the stage) as a step's failure would. The reliability
    /// harness's fault injection plugs in here (Polly's chaos strategies are the model), so no fault lives in the stage
    /// loop of a production deploy. The journal is not one of these to register: the Deployer writes its own journal
    /// (<see cref="JournalRecorder"/>) first, always, since a deploy nobody journaled could not be closed after a kill.
    /// </summary>
    public IReadOnlyList<IDeploymentObserver> Participants { get; init; } = [];

    /// <summary>Told of the deployment's start, stages, warnings and outcome (notifiers, harness); never fail the deploy.</summary>
    public IReadOnlyList<IDeploymentObserver> Observers { get; init; } = [];

    /// <summary>Warnings the caller found before the run (a manual rollback's migrations that stay), told to the observers once it has started.</summary>
    public IReadOnlyList<(DeploymentWarningKind Kind, string Message)> Warnings { get; init; } = [];

    /// <summary>How long one observer call may take before it is reported as a warning and left behind.</summary>
    public TimeSpan ObserverTimeout { get; init; } = TimeSpan.FromSeconds(60);

    DeploymentObservers Observed => new([new JournalRecorder(journal, time), .. Participants], Observers, ObserverTimeout, time, log);
    DeploymentStarted? _started;

    DeploymentStarted Started => _started ?? throw new InvalidOperationException("The deployment has not started.");
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
            var deployment = new DeploymentStarted(deploymentId, plan.Kind, plan.Environment, plan.ReleaseId, plan.PreviousReleaseId, request.Actor,
                request.Commit, lockStarted) { Override = request.Override };
            // The journal's started and lock entries first (a failed write fails the deploy), then the notifiers hear it.
            await Observed.NotifyAsync("started", (x, token) => x.StartedAsync(deployment, token));
            _started = deployment;
            foreach (var (kind, message) in _lockWarnings)
                await WarnAsync(kind, message);
            foreach (var (kind, message) in Warnings)
                await WarnAsync(kind, message);

            var outcome = await RunStagesAsync(plan, cancellationToken);
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

    async Task<string> RunStagesAsync(DeploymentPlan plan, CancellationToken cancellationToken)
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
                // From the switch on, steps run to the end (verified, else rolled back) even after Ctrl+C. The required
                // participants still get the deploy's token: an injected hang stands for a step that never returns, and
                // ends on the token as the reliability tests use it.
                var stageToken = switched ? CancellationToken.None : cancellationToken;
                var starting = new StageStarting(Started, stage.Name, stage.Steps, stageStarted);
                await Observed.NotifyAsync($"stage {stage.Name} starting", (x, token) => x.StageStartingAsync(starting, token), cancellationToken);
                for (var index = 0; index < stage.Steps.Count; index++)
                {
                    log.Information($"    {stage.Steps[index].Describe()}");
                    await runner.RunAsync(stage.Steps[index], stageToken);
                    var step = new StepFinished(Started, stage.Name, index, stage.Steps[index]);
                    await Observed.NotifyAsync($"step {index + 1} of {stage.Name}", (x, token) => x.StepFinishedAsync(step, token), cancellationToken);
                }
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Succeeded, null);
            }
            catch (OperationCanceledException exception) when (!switched && cancellationToken.IsCancellationRequested)
            {
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Cancelled, "cancelled (Ctrl+C or SIGTERM)");
                throw await CancelAsync(plan, stage.Name, exception);
            }
            catch (Exception exception) when (stage.Name == Stage.CleanUp && exception is not OperationCanceledException)
            {
                // The new release is live and verified: a clean-up problem is worth a warning, not a failed deploy. The
                // target's repair then stops what the clean-up left running, so no other release keeps running.
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Failed, exception.Message);
                log.Warning($"Clean-up after the deploy failed (the new release is live): {exception.Message}");
                if (Recover is not null)
                    await Recover(CancellationToken.None);
            }
            catch (Exception exception)
            {
                await StageFinishedAsync(stage.Name, stageStarted, Outcomes.Failed, exception.Message);
                if (switched && plan.PreviousReleaseId is not null)
                    await WarnAsync(DeploymentWarningKind.AutomaticRollback,
                        $"{plan.Kind} of {plan.ReleaseId} failed at '{stage.Name}' after the switch: rolling back automatically to {plan.PreviousReleaseId}.");
                if (MigrationsStay(plan, stage.Name))
                    await WarnAsync(DeploymentWarningKind.MigrationNotUndone,
                        $"The migrations of {plan.ReleaseId} were applied and stay (forward-only): the release that serves now must work with them.");
                throw await RecoverAsync(plan, stage.Name, switched, exception);
            }
        }

        if (cancellationToken.IsCancellationRequested)
            log.Warning($"Interrupted after the switch: {plan.ReleaseId} was verified and stays live.");
        await FinishedAsync(Outcomes.Succeeded, null, null);
        return Outcomes.Succeeded;
    }

    /// <summary>
    /// Interrupted before the switch: stop what the deploy started (the old release was never touched and keeps serving)
    /// and journal the deploy as cancelled. Returns the exception to throw: a cancellation, so the build reports the
    /// target as aborted and exits 130, not as a failure.
    /// </summary>
    async Task<Exception> CancelAsync(DeploymentPlan plan, string stage, OperationCanceledException cancellation)
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
            await RecoveryFinishedAsync(recoveryStarted, Outcomes.Failed, recoveryFailure.Message);
            await FinishedAsync(Outcomes.Failed, stage, $"cancelled at '{stage}' (then stopping {plan.ReleaseId} failed: {recoveryFailure.Message})");
            return new DeploymentFailedException(
                $"{plan.Kind} of {plan.ReleaseId} was cancelled at '{stage}', and stopping it failed: {recoveryFailure.Message}", Outcomes.Failed, stage);
        }

        await RecoveryFinishedAsync(recoveryStarted, Outcomes.Succeeded, null);
        await FinishedAsync(Outcomes.Cancelled, stage, $"cancelled at '{stage}' before the switch");
        return new OperationCanceledException(
            $"{plan.Kind} of {plan.ReleaseId} was cancelled at '{stage}'. " +
            (plan.PreviousReleaseId is null ? "No release was serving before; none is now." : $"{plan.PreviousReleaseId} kept serving throughout."),
            cancellation, cancellation.CancellationToken);
    }

    async Task<DeploymentFailedException> RecoverAsync(DeploymentPlan plan, string stage, bool switched, Exception failure)
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
            await RecoveryFinishedAsync(recoveryStarted, Outcomes.Failed, recoveryFailure.Message);
            await FinishedAsync(Outcomes.Failed, stage, $"{reason} (then recovery failed: {recoveryFailure.Message})");
            return new DeploymentFailedException(
                $"{plan.Kind} of {plan.ReleaseId} failed at '{stage}': {reason}\nRecovery failed too: {recoveryFailure.Message}", Outcomes.Failed, stage);
        }

        var outcome = switched && plan.PreviousReleaseId is not null ? Outcomes.RolledBack : Outcomes.Failed;
        await RecoveryFinishedAsync(recoveryStarted, Outcomes.Succeeded, null);
        await FinishedAsync(outcome, stage, reason);
        return new DeploymentFailedException(outcome == Outcomes.RolledBack
            ? $"{plan.Kind} of {plan.ReleaseId} failed at '{stage}' and was rolled back automatically to {plan.PreviousReleaseId}, which is serving and verified: {reason}"
            : $"{plan.Kind} of {plan.ReleaseId} failed at '{stage}': {reason}\n{(plan.PreviousReleaseId is null ? "No release was serving before; none is now." : $"{plan.PreviousReleaseId} kept serving throughout.")}",
            outcome, stage);
    }

    // Journal writes and the lock's release take no token: after Ctrl+C the outcome must still be recorded and the lock freed.

    /// <summary>
    /// Entries left open by a run that was killed: we hold the lock, so nobody else is running them. (Written here, not by
    /// the <see cref="JournalRecorder"/>: it closes other runs' deployments, before this one has started.)
    /// </summary>
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

    // Records take no token either (the required participants' is None): the journal writes them after Ctrl+C too.

    Task StageFinishedAsync(string stage, DateTimeOffset stageStarted, string outcome, string? error)
    {
        var finished = new StageFinished(Started, stage, outcome, time.GetUtcNow() - stageStarted, error) { StartedAt = stageStarted };
        return Observed.NotifyAsync($"stage {stage}", (x, token) => x.StageFinishedAsync(finished, token));
    }

    Task RecoveryFinishedAsync(DateTimeOffset recoveryStarted, string outcome, string? error)
    {
        var recovery = new StageFinished(Started, "recover", outcome, time.GetUtcNow() - recoveryStarted, error) { StartedAt = recoveryStarted };
        return Observed.NotifyAsync("recover", (x, token) => x.RecoveryFinishedAsync(recovery, token));
    }

    Task WarnAsync(DeploymentWarningKind kind, string message) =>
        Observed.NotifyAsync("warning", (x, token) => x.WarningAsync(new DeploymentWarning(Started, kind, message), token));

    Task FinishedAsync(string outcome, string? stage, string? error)
    {
        var finished = new DeploymentFinished(Started, outcome, stage, error, time.GetUtcNow() - Started.At);
        return Observed.NotifyAsync(outcome, (x, token) => x.FinishedAsync(finished, token));
    }

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
