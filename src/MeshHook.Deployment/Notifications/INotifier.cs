namespace MeshHook.Deployment.Notifications;

/// <summary>One channel deployments are announced on (Slack, GitHub Deployments, email, a signed webhook).</summary>
public interface INotifier
{
    /// <summary>The channel's name in messages: "slack", "github", "email", "webhook".</summary>
    string Name { get; }

    /// <summary>Delivers one announcement. Throws <see cref="NotificationRejectedException"/> when retrying cannot help.</summary>
    Task SendAsync(Announcement announcement, CancellationToken cancellationToken);

    /// <summary>What <see cref="SendAsync"/> would send (the dry run prints it), secrets masked by the caller.</summary>
    string Preview(Announcement announcement);
}

/// <summary>The receiver refused the message for good (a 4xx other than 408/429): retrying would not help.</summary>
public sealed class NotificationRejectedException(string message) : Exception(message);

/// <summary>The receiver asked us to come back later (Slack's 429 with Retry-After).</summary>
public sealed class NotificationThrottledException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
