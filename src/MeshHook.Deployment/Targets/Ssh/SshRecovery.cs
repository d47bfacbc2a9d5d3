using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Health;
using HealthOptions = MeshHook.Deployment.Health.HealthOptions;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// Repairs what a killed deployer left on the hosts, under the lock (the deployer has already closed its journal entries
/// as aborted). When every host is current on the same release, every web host's edge serves it healthy and every host
/// runs it for its roles, that is the consistent state: only the processes of other releases (strays of the killed run)
/// are stopped. Otherwise a half-switched environment is brought back to one release on every host, the way a rollback
/// does it (start beside, health-check, switch, verify, stop the rest): the journal's last successfully deployed release
/// first, then a release every host is current on, then the newest release staged on every host.
/// </summary>
public sealed class SshRecovery(
    SshSettings settings,
    Func<CancellationToken, Task<IReadOnlyList<SshHostState>>> readHosts,
    Func<IReadOnlyList<SshHostState>, SshPlanner> planner,
    IStepRunner runner,
    HealthProbe probe,
    HealthOptions health,
    DeploymentLog log)
{
    public async Task RunAsync(IReadOnlyList<DeploymentRecord> deployments, CancellationToken cancellationToken)
    {
        var states = await readHosts(cancellationToken);
        var currents = states.Select(x => x.Current).Distinct().ToList();
        if (currents is [{ } consistent] && states.All(x => RunsFor(x, consistent)) && await AllServeAsync(states, consistent, cancellationToken))
        {
            await StopStraysAsync(states, consistent, cancellationToken);
            return;
        }

        var known = deployments.Where(x => x.Succeeded && x.Release is not null).Select(x => x.Release!).LastOrDefault();
        var candidates = new[] { known }.Concat(currents)
            .Concat(states[0].Staged.Reverse()).OfType<string>().Distinct()
            .Where(x => states.All(s => s.Staged.Contains(x))).ToList();
        if (candidates.Count == 0)
        {
            // Nothing is staged on every host (a first deploy killed while staging): stop whatever it started.
            await StopStraysAsync(states, null, cancellationToken);
            return;
        }
        log.Warning("The hosts are not on one healthy release (" + string.Join(", ", states.Select(x => $"{x.Host.Name}: {x.Current ?? "none"}")) +
                    $"): bringing every host back to {candidates[0]}.");
        foreach (var candidate in candidates)
        {
            var plan = planner(states).PlanRollback(candidate);
            try
            {
                foreach (var step in plan.Stages.Where(x => x.Name is not (Stage.Validate or Stage.Lock)).SelectMany(x => x.Steps))
                {
                    log.Information($"    {step.Describe()}");
                    await runner.RunAsync(step, cancellationToken);
                }
                await StopStraysAsync(await readHosts(cancellationToken), candidate, cancellationToken);
                log.Warning($"Recovered: every host serves {candidate}.");
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                log.Warning($"Could not bring back {candidate} on every host: {exception.Message}");
                foreach (var step in plan.OnFailureAfterSwitch)
                {
                    try
                    {
                        await runner.RunAsync(step, CancellationToken.None);
                    }
                    catch (UserFacingException failure)
                    {
                        log.Warning(failure.Message);
                    }
                }
                states = await readHosts(cancellationToken);
            }
        }
        throw new UserFacingException($"No release could be brought back on every host: tried {string.Join(", ", candidates)}. " +
                                      $"See the logs under {settings.Options.DeployPath}/shared/logs/ on each host.");
    }

    /// <summary>The host runs the release for each of its roles (its web process behind the edge, its worker).</summary>
    static bool RunsFor(SshHostState state, string release) =>
        (!state.Host.Roles.Contains(SshRole.Web) || state.Web(release) is not null) &&
        (!state.Host.Roles.Contains(SshRole.Workers) ||
         state.Processes.Any(x => x.Alive && x.Release == release && x.Name.StartsWith("worker-", StringComparison.Ordinal)));

    async Task<bool> AllServeAsync(IReadOnlyList<SshHostState> states, string release, CancellationToken cancellationToken)
    {
        foreach (var state in states.Where(x => x.Host.Roles.Contains(SshRole.Web)))
            if (!(await probe.GetAsync(settings.StableHealth(state.Host), health.RequestTimeout, cancellationToken)).IsHealthyAt(release))
                return false;
        return true;
    }

    /// <summary>Every release process that is not of <paramref name="keep"/>: left running by the killed run, it serves nothing.</summary>
    async Task StopStraysAsync(IReadOnlyList<SshHostState> states, string? keep, CancellationToken cancellationToken)
    {
        foreach (var state in states)
            foreach (var stray in state.Processes.Where(x => x.Alive && x.Release is not null && x.Release != keep))
            {
                log.Warning($"Stopping {stray.Name} on {state.Host.Name}: left running by an interrupted run, it serves nothing.");
                await runner.RunAsync(new StopRemote(state.Host, stray.Name, settings.DrainGrace), cancellationToken);
            }
    }
}
