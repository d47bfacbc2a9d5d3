using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// Keeps a Container Apps deploy inside its blob lease. Azure frees a lease that stops being renewed (or that someone
/// breaks), and then another deployer may take the environment: from that moment this run must change nothing that the
/// other could be changing. So, in the plan's order:
/// <list type="bullet">
/// <item>before the switch, <see cref="BlobLeaseLock.LeaseLost"/> cancels the running step (a migration, a revision poll)
/// and fails it with <see cref="LeaseLostException"/>: the deploy stops as on Ctrl+C (the new revisions get no traffic and
/// are taken out of service: that recovery touches only this run's revisions), and the journal gives the lease as the reason;</item>
/// <item>the end of the health check and the switch itself first renew the lease on the spot (<see cref="BlobLeaseLock.EnsureHeldAsync"/>):
/// traffic never moves unless the lease is ours at that moment;</item>
/// <item>after the switch, nothing more is written without renewing first: clean-up and switch-back are refused once the
/// lease is gone (the release stays live as verified; the refusal names the lease), and <see cref="LostReason"/> says so.</item>
/// </list>
/// The Deployer stays unaware: this is just a step runner whose steps fail for a reason of their own.
/// </summary>
sealed class LeaseGuardedRunner(IStepRunner inner, BlobLeaseLock lease, Func<DeploymentPlan?> plan) : IStepRunner
{
    bool _switched, _tookOutOfService;

    /// <summary>Why the lease was lost, once this run saw it (null: it was not).</summary>
    public string? LostReason { get; private set; }

    /// <summary>Whether the traffic was switched to the new revision (with the lease held).</summary>
    public bool Switched => _switched;

    public async Task RunAsync(DeployStep step, CancellationToken cancellationToken)
    {
        var current = plan() ?? throw new InvalidOperationException("No plan is being run.");
        if (In(current.Stages.FirstOrDefault(x => x.Name == Stage.Switch)?.Steps, step))
        {
            await EnsureHeldAsync("the traffic was not switched", cancellationToken);
            _switched = true;
            await inner.RunAsync(step, cancellationToken);
            return;
        }
        if (!_switched && In(current.OnFailureBeforeSwitch, step))
        {
            // Taking this run's own new revisions out of service is what a stopped deploy must do, lease or not.
            await inner.RunAsync(step, cancellationToken);
            return;
        }
        if (!_switched && In(current.OnFailureAfterSwitch, step))
        {
            // The switch step was refused (lease lost) after the Deployer entered the switch stage: nothing was switched,
            // so there is nothing to switch back; the new revisions are taken out of service instead, once.
            if (!_tookOutOfService)
            {
                _tookOutOfService = true;
                foreach (var before in current.OnFailureBeforeSwitch)
                    await inner.RunAsync(before, cancellationToken);
            }
            return;
        }
        if (_switched)
        {
            if (In(current.OnFailureAfterSwitch, step) || In(current.Stages.FirstOrDefault(x => x.Name == Stage.CleanUp)?.Steps, step))
                await EnsureHeldAsync("after the switch: the new release stays live as verified, nothing else was changed", cancellationToken);
            await inner.RunAsync(step, cancellationToken);
            return;
        }

        // A step before the switch: stopped as soon as the lease is gone.
        var lost = lease.LeaseLost;
        ThrowIfLost(lost, "before the switch: the new revisions get no traffic and are taken out of service");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lost);
        try
        {
            await inner.RunAsync(step, linked.Token);
        }
        catch (OperationCanceledException exception) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Lost(lease.LeaseLostReason, "before the switch: the new revisions get no traffic and are taken out of service", exception);
        }
        // The last step before the switch ends with the lease renewed on the spot, so a lease lost since the last renewal stops
        // the deploy here, before the Deployer enters the switch.
        if (current.Stages.FirstOrDefault(x => x.Name == Stage.HealthCheck)?.Steps is { Count: > 0 } health && ReferenceEquals(health[^1], step))
            await EnsureHeldAsync("before the switch: the new revisions get no traffic and are taken out of service", cancellationToken);
    }

    async Task EnsureHeldAsync(string consequence, CancellationToken cancellationToken)
    {
        if (!await lease.EnsureHeldAsync(cancellationToken))
            throw Lost(lease.LeaseLostReason, consequence);
    }

    void ThrowIfLost(CancellationToken lost, string consequence)
    {
        if (lost.IsCancellationRequested)
            throw Lost(lease.LeaseLostReason, consequence);
    }

    LeaseLostException Lost(string? reason, string consequence, Exception? inner = null)
    {
        LostReason ??= reason ?? $"The lease on {lease.Location} is no longer held by this deploy.";
        return new LeaseLostException($"Environment lock lost {consequence}. {LostReason} Another deploy may hold the environment now: check ./build.sh Status.", inner);
    }

    static bool In(IReadOnlyList<DeployStep>? steps, DeployStep step) => steps is not null && steps.Any(x => ReferenceEquals(x, step));
}

/// <summary>The deploy's blob lease was lost (broken or taken over): the message says when and what was and was not done.</summary>
public sealed class LeaseLostException(string message, Exception? inner = null) : UserFacingException(message, inner);
