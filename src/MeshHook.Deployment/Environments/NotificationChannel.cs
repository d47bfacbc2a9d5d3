using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// An element of <c>notifications</c>: a channel that announces the environment's deployments (started, succeeded, failed,
/// rolled back). The console and the journal always do; these are extra.
/// <code>{ "kind": "slack", "settings": { "webhookUrl": { "secret": "SLACK_WEBHOOK_URL" }, "channel": "#deploys" } }</code>
/// <see cref="Settings"/> are typed per kind and checked when the file is read, so a wrong setting stops a deploy before
/// anything runs. Credentials (webhook URLs, tokens, passwords, signing keys) are secret references only.
/// </summary>
public sealed class NotificationChannel
{
    public NotificationChannel(NotificationSettings settings) => Settings = settings ?? throw new ArgumentNullException(nameof(settings));

    public NotificationKind Kind => Settings.Kind;

    public NotificationSettings Settings { get; }

    internal static NotificationChannel? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var kind = section.Enum<NotificationKind>("kind", required: true);
        NotificationSettings? settings = null;
        if (kind is { } k)
        {
            // Only github may leave its settings out (GitHub Actions gives repository and token).
            var values = section.Object("settings", required: k != NotificationKind.GitHub, Expected(k));
            settings = k switch
            {
                NotificationKind.Slack => SlackSettings.Read(values),
                NotificationKind.GitHub => section.Has("settings") && values is null ? null : GitHubSettings.Read(values),
                NotificationKind.Email => EmailSettings.Read(values),
                NotificationKind.Webhook => WebhookSettings.Read(values),
                _ => null,
            };
        }
        else
            section.Has("settings"); // with no valid kind the settings' shape is unknown: report the kind alone
        section.RejectUnknownKeys();
        return settings is null ? null : new NotificationChannel(settings);
    }

    static string Expected(NotificationKind kind) => kind switch
    {
        NotificationKind.Slack => "an object { \"webhookUrl\": { \"secret\": \"NAME\" }, \"channel\" }",
        NotificationKind.GitHub => "an object { \"repository\", \"token\": { \"secret\": \"NAME\" }, \"apiUrl\" } (each optional)",
        NotificationKind.Email => "an object { \"smtpUrl\", \"to\": [addresses], \"from\" }",
        NotificationKind.Webhook => "an object { \"url\", \"signingSecret\": { \"secret\": \"NAME\" } }",
        _ => "an object",
    };
}
