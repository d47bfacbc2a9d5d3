using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications;

/// <summary>How hard a channel is tried: the whole delivery (every attempt and wait) fits in <see cref="Timeout"/>.</summary>
public sealed record DeliveryPolicy
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
    public int Attempts { get; init; } = 3;

    /// <summary>Wait before the second attempt; doubled before each next one.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Sends an announcement to every channel at once. Each channel gets <see cref="DeliveryPolicy.Timeout"/> in all, retries
/// with exponential backoff (a 429's Retry-After instead, when it fits) on the injected clock, and ends either delivered or
/// as a warning (console and journal): a channel that is down or hangs costs at most its timeout and never throws here.
/// </summary>
public sealed class NotificationDispatcher(IReadOnlyList<INotifier> notifiers, DeliveryPolicy policy, TimeProvider time, DeploymentLog log, SecretMasker masker)
{
    public IReadOnlyList<INotifier> Notifiers => notifiers;

    /// <summary>The same dispatcher without the channel named <paramref name="name"/>.</summary>
    public NotificationDispatcher Without(string name) => new(notifiers.Where(x => x.Name != name).ToList(), policy, time, log, masker);

    /// <summary>Delivers to every channel; returns the warnings (one per channel that failed).</summary>
    public async Task<IReadOnlyList<string>> SendAsync(Announcement announcement, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(notifiers.Select(x => DeliverAsync(x, announcement, cancellationToken)));
        var warnings = results.OfType<string>().Select(masker.Apply).ToList();
        foreach (var warning in warnings)
            log.Warning(warning);
        return warnings;
    }

    async Task<string?> DeliverAsync(INotifier notifier, Announcement announcement, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(policy.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var deadline = time.GetUtcNow() + policy.Timeout;
        var backoff = policy.Backoff;
        string? last = null;
        for (var attempt = 1; attempt <= policy.Attempts; attempt++)
        {
            try
            {
                // WaitAsync also ends a send that ignores its token (a library call that cannot be cancelled).
                await notifier.SendAsync(announcement, linked.Token).WaitAsync(linked.Token);
                return null;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return Warning(notifier, announcement, $"no answer within {policy.Timeout.TotalSeconds:0.#} s{(last is null ? "" : $" (before that: {last})")}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Warning(notifier, announcement, "cancelled");
            }
            catch (NotificationRejectedException rejected)
            {
                return Warning(notifier, announcement, rejected.Message);
            }
            catch (Exception exception)
            {
                last = exception.Message;
                if (attempt == policy.Attempts)
                    break;
                var wait = exception is NotificationThrottledException throttled ? throttled.RetryAfter : backoff;
                if (time.GetUtcNow() + wait >= deadline)
                    return Warning(notifier, announcement, $"{last}; the next try ({wait.TotalSeconds:0.#} s from now) would pass the {policy.Timeout.TotalSeconds:0.#} s timeout");
                try
                {
                    await Task.Delay(wait, time, linked.Token);
                }
                catch (OperationCanceledException)
                {
                    return Warning(notifier, announcement, timeout.IsCancellationRequested ? $"no success within {policy.Timeout.TotalSeconds:0.#} s: {last}" : "cancelled");
                }
                backoff *= 2;
            }
        }
        return Warning(notifier, announcement, $"{policy.Attempts} attempts failed, the last: {last}");
    }

    static string Warning(INotifier notifier, Announcement announcement, string reason) =>
        $"Notification '{announcement.Title}' not delivered on {notifier.Name}: {reason}. The deployment's outcome is unchanged.";
}
