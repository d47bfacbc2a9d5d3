namespace MeshHook.Deployment.Notifications.Webhook;

/// <summary>
/// A generic webhook (<c>notifications[].kind = "webhook"</c>): settings <c>url</c> and <c>signingSecret</c> (a secret
/// reference; the HMAC key). Or for one run: <c>NOTIFY_WEBHOOK_URL</c> + <c>NOTIFY_WEBHOOK_SECRET</c>.
/// </summary>
public sealed record WebhookOptions(Uri Url, string SigningSecret);
