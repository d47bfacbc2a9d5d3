using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Environments;

/// <summary>A channel deployments are announced on (<c>notifications[].kind</c>); console and journal are always on.</summary>
public enum NotificationKind
{
    /// <summary>Slack incoming webhook (settings: webhookUrl as a secret, channel).</summary>
    [JsonStringEnumMemberName("slack")]
    Slack,

    /// <summary>GitHub Deployments API (deployment and statuses on the repository).</summary>
    [JsonStringEnumMemberName("github")]
    GitHub,

    /// <summary>Email over SMTP (settings: to, from, host, password as a secret...).</summary>
    [JsonStringEnumMemberName("email")]
    Email,

    /// <summary>A generic webhook signed with HMAC-SHA256 (settings: url, signingKey as a secret).</summary>
    [JsonStringEnumMemberName("webhook")]
    Webhook,
}
