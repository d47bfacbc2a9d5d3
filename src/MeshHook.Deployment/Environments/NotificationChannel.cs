using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// An element of <c>notifications</c>: a channel that announces the environment's deployments (started, succeeded, failed,
/// rolled back). The console and the journal always do; these are extra.
/// <code>{ "kind": "slack", "settings": { "webhookUrl": { "secret": "SLACK_WEBHOOK_URL" }, "channel": "#deploys" } }</code>
/// <see cref="Settings"/> are the channel's own (defined by each channel); values are strings or secret references, so that
/// a webhook URL or a password stays out of the repository.
/// </summary>
public sealed partial class NotificationChannel
{
    public NotificationKind Kind { get; init; }

    public IReadOnlyDictionary<string, ConfigurationValue> Settings { get; init; } = new Dictionary<string, ConfigurationValue>();

    internal static NotificationChannel? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var kind = section.Enum<NotificationKind>("kind", required: true);
        var settings = new Dictionary<string, ConfigurationValue>(StringComparer.Ordinal);
        if (section.Object("settings", required: false, "an object of settings (name: string or { \"secret\": \"NAME\" })") is { } values)
        {
            foreach (var (name, element) in values.Properties)
            {
                var path = values.PathOf(name);
                if (!SettingName().IsMatch(name))
                    values.Errors.Add(path, $"'{name}' is not a valid setting name; allowed: letters and digits, starting with a letter (camelCase).");
                else if (ConfigurationValue.Read(element, path, values.Errors) is { } value)
                    settings[name] = value;
            }
        }
        section.RejectUnknownKeys();
        return kind is { } k ? new NotificationChannel { Kind = k, Settings = settings } : null;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SettingName();
}
