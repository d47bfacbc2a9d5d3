namespace MeshHook.Deployment.Notifications.Slack;

/// <summary>
/// A Slack incoming webhook (<c>notifications[].kind = "slack"</c>): settings <c>webhookUrl</c> (a secret reference:
/// the URL is the credential) and optionally <c>channel</c> (informative: an incoming webhook posts to the channel it was
/// made for). Or for one run: <c>SLACK_WEBHOOK_URL</c>.
/// </summary>
public sealed record SlackOptions(Uri WebhookUrl, string? Channel = null);
