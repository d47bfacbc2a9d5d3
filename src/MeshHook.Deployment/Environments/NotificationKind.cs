using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Environments;

/// <summary>A channel deployments are announced on (<c>notifications[].kind</c>); console and journal are always on.</summary>
public enum NotificationKind
{
    /// <summary>Slack incoming webhook (settings: webhookUrl as a secret, channel).</summary>
    [JsonStringEnumMemberName("slack")]
    Slack,

    /// <summary>GitHub Deployments API (settings, each optional: repository, token as a secret, apiUrl).</summary>
    [JsonStringEnumMemberName("github")]
    GitHub,

    /// <summary>Email over SMTP (settings: smtpUrl, a secret when it holds a password; to; from).</summary>
    [JsonStringEnumMemberName("email")]
    Email,

    /// <summary>A generic webhook signed with HMAC-SHA256 (settings: url, signingSecret as a secret).</summary>
    [JsonStringEnumMemberName("webhook")]
    Webhook,
}
