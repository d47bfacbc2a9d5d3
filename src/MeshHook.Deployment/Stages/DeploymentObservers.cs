namespace MeshHook.Deployment.Stages;

/// <summary>
/// Tells one event to everyone registered with a <see cref="Deployer"/>, in two tiers (Polly's split between the
/// strategies of a pipeline and its telemetry listeners). First the <paramref name="required"/> participants (the journal,
/// a reliability test's chaos), in order, unbounded: what they throw is the deploy's, exactly as a step's failure would be
/// (a journal that cannot write must fail the deploy, an injected fault must fail its stage). Then the
/// <paramref name="bestEffort"/> listeners (the notifiers), each bounded by <paramref name="timeout"/> on the injected clock;
/// one that throws or overruns is reported as a warning and the deploy goes on (its outcome never depends on them). The
/// order is the contract the notifiers rely on: the journal has recorded an event before anyone is told of it.
/// </summary>
public sealed class DeploymentObservers(IReadOnlyList<IDeploymentObserver> required, IReadOnlyList<IDeploymentObserver> bestEffort,
    TimeSpan timeout, TimeProvider time, DeploymentLog log)
{
    /// <summary>
    /// Calls <paramref name="call"/> on every required participant with <paramref name="requiredToken"/> (the deploy's
    /// token while a stage runs, none for records that must be written even after Ctrl+C), then on every listener.
    /// </summary>
    public async Task NotifyAsync(string what, Func<IDeploymentObserver, CancellationToken, Task> call, CancellationToken requiredToken = default)
    {
        foreach (var participant in required)
            await call(participant, requiredToken);
        foreach (var observer in bestEffort)
        {
            using var bound = new CancellationTokenSource(timeout, time);
            try
            {
                await call(observer, bound.Token).WaitAsync(timeout, time, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // WaitAsync's own timeout and the bound's timer are two timers: either may fire first.
                var reason = exception is TimeoutException || exception is OperationCanceledException && bound.IsCancellationRequested
                    ? $"took longer than {timeout.TotalSeconds:0.#} s"
                    : exception.Message;
                log.Warning($"{observer.GetType().Name} could not handle '{what}' ({reason}); the deploy goes on.");
            }
        }
    }
}
