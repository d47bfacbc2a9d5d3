namespace MeshHook.Deployment.Stages;

/// <summary>
/// Calls every observer in turn, each bounded by <paramref name="timeout"/> on the injected clock; an observer that throws
/// or overruns is reported as a warning and the deploy goes on (its outcome never depends on an observer).
/// </summary>
public sealed class DeploymentObservers(IReadOnlyList<IDeploymentObserver> observers, TimeSpan timeout, TimeProvider time, DeploymentLog log)
{
    public async Task NotifyAsync(string what, Func<IDeploymentObserver, CancellationToken, Task> call)
    {
        foreach (var observer in observers)
        {
            using var bound = new CancellationTokenSource(timeout, time);
            try
            {
                await call(observer, bound.Token).WaitAsync(timeout, time, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // WaitAsync's timer and the token's may fire in either order: either one is the timeout.
                var reason = exception is TimeoutException || exception is OperationCanceledException && bound.IsCancellationRequested
                    ? $"took longer than {timeout.TotalSeconds:0.#} s"
                    : exception.Message;
                log.Warning($"{observer.GetType().Name} could not handle '{what}' ({reason}); the deploy goes on.");
            }
        }
    }
}
