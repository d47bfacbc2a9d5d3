using System.Text.Json;
using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// The <c>settings</c> of one <c>notifications[]</c> channel, typed per <see cref="NotificationKind"/> and checked when
/// environment.json is read (the schema's <c>slackSettings</c>, <c>githubSettings</c>, <c>emailSettings</c>,
/// <c>webhookSettings</c> say the same). A value that is a credential is always a secret reference, never text.
/// </summary>
public abstract record NotificationSettings
{
    public abstract NotificationKind Kind { get; }

    /// <summary>The settings that are secret references, by key, in the order the kind defines them.</summary>
    public abstract IEnumerable<(string Key, SecretReference Secret)> Secrets { get; }

    internal const string SecretExpected = "a secret reference { \"secret\": \"NAME\" }";

    /// <summary>A credential: only <c>{ "secret": "NAME" }</c> is allowed, so its value never lands in the repository.</summary>
    internal static SecretReference? ReadSecret(JsonSection section, string key, bool required, string why)
    {
        if (section.Value(key, required, SecretExpected + $" ({why})") is not { } value)
            return null;
        if (value.ValueKind == JsonValueKind.Object)
            return SecretReference.Read(value, section.PathOf(key), section.Errors);
        section.Error(key, $"expected {SecretExpected}, got {JsonSection.Describe(value)}: {why}, so it stays out of the repository " +
                           "(set it with ./build.sh Secrets --set NAME).");
        return null;
    }

    internal static Func<string, string?> Matching(Regex pattern, string expected) =>
        x => pattern.IsMatch(x) ? null : $"'{x}' is not allowed; allowed: {expected}.";
}

/// <summary>
/// <c>slack</c>: an incoming webhook.
/// <code>"settings": { "webhookUrl": { "secret": "SLACK_WEBHOOK_URL" }, "channel": "#deploys" }</code>
/// </summary>
public sealed partial record SlackSettings(SecretReference WebhookUrl, string? Channel = null) : NotificationSettings
{
    public const string ChannelPattern = "^#[a-z0-9][a-z0-9._-]{0,79}$";
    const string ChannelExpected = "a Slack channel name: '#' then up to 80 lower-case letters, digits, '.', '_' or '-' (e.g. #deploys)";

    public override NotificationKind Kind => NotificationKind.Slack;

    public override IEnumerable<(string Key, SecretReference Secret)> Secrets => [("webhookUrl", WebhookUrl)];

    internal static SlackSettings? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var url = ReadSecret(section, "webhookUrl", required: true, "the webhook URL is the credential");
        // Informative: an incoming webhook posts to the channel it was made for.
        var channel = section.String("channel", required: false, ChannelExpected, Matching(ChannelRegex(), ChannelExpected));
        section.RejectUnknownKeys();
        return url is null ? null : new SlackSettings(url, channel);
    }

    [GeneratedRegex(@"^#[a-z0-9][a-z0-9._-]{0,79}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelRegex();
}

/// <summary>
/// <c>github</c>: GitHub Deployments. Every setting is optional: inside GitHub Actions, GITHUB_REPOSITORY, GITHUB_TOKEN
/// and GITHUB_API_URL give them.
/// <code>"settings": { "repository": "octo/meshhook", "token": { "secret": "GITHUB_DEPLOY_TOKEN" }, "apiUrl": "https://ghe.example.com/api/v3/" }</code>
/// </summary>
public sealed partial record GitHubSettings(string? Repository = null, SecretReference? Token = null, Uri? ApiUrl = null) : NotificationSettings
{
    public const string RepositoryPattern = "^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$";
    const string RepositoryExpected = "owner/name (letters, digits and '-' for the owner; letters, digits, '.', '_' and '-' for the name)";

    public override NotificationKind Kind => NotificationKind.GitHub;

    public override IEnumerable<(string Key, SecretReference Secret)> Secrets => Token is null ? [] : [("token", Token)];

    internal static GitHubSettings? Read(JsonSection? section)
    {
        if (section is null)
            return new GitHubSettings();
        var repository = section.String("repository", required: false, RepositoryExpected, Matching(RepositoryRegex(), RepositoryExpected));
        var token = ReadSecret(section, "token", required: false, "a token that can write deployments is a credential");
        var apiUrl = HttpUrl.Read(section, "apiUrl", required: false, "the REST API's base URL (GitHub Enterprise: https://<host>/api/v3/)");
        section.RejectUnknownKeys();
        return new GitHubSettings(repository, token, apiUrl);
    }

    /// <summary>(owner, name) of <paramref name="text"/>, or null when it is not owner/name.</summary>
    public static (string Owner, string Name)? ParseRepository(string text) =>
        RepositoryRegex().IsMatch(text) && text.Split('/') is [var owner, var name] ? (owner, name) : null;

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryRegex();
}

/// <summary>
/// <c>email</c>: SMTP. <c>smtpUrl</c> is a secret reference when it holds a password; as text it may name a user but no password.
/// <code>"settings": { "smtpUrl": { "secret": "SMTP_URL" }, "to": ["ops@example.com"], "from": "deploy@example.com" }</code>
/// </summary>
public sealed partial record EmailSettings(ConfigurationValue SmtpUrl, IReadOnlyList<string> To, string? From = null) : NotificationSettings
{
    public const string SmtpUrlPattern = "^smtps?://([^\\s:@/?#]+@)?[^\\s:@/?#]+(:[0-9]{1,5})?/?$";
    public const string AddressPattern = "^[^\\s@<>,;\"]+@[^\\s@<>,;\"]+$";
    const string SmtpUrlExpected = "smtp://[user@]host[:port] or smtps://... as text, or a secret reference { \"secret\": \"SMTP_URL\" } when it holds a password";
    const string AddressExpected = "an email address (name@host)";

    public override NotificationKind Kind => NotificationKind.Email;

    public override IEnumerable<(string Key, SecretReference Secret)> Secrets => SmtpUrl.Secret is { } secret ? [("smtpUrl", secret)] : [];

    internal static EmailSettings? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var smtpUrl = ReadSmtpUrl(section);
        var to = ReadRecipients(section);
        var from = section.String("from", required: false, AddressExpected, Matching(Address(), AddressExpected));
        section.RejectUnknownKeys();
        return smtpUrl is null || to is null ? null : new EmailSettings(smtpUrl, to, from);
    }

    static ConfigurationValue? ReadSmtpUrl(JsonSection section)
    {
        if (section.Value("smtpUrl", required: true, SmtpUrlExpected) is not { } value)
            return null;
        var path = section.PathOf("smtpUrl");
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                return SecretReference.Read(value, path, section.Errors) is { } secret ? ConfigurationValue.FromSecret(secret) : null;
            case JsonValueKind.String when SmtpUrlRegex().IsMatch(value.GetString()!):
                return ConfigurationValue.Plain(value.GetString()!);
            case JsonValueKind.String when PasswordInUrl().IsMatch(value.GetString()!):
                // Not quoted back: the text holds a password.
                section.Errors.Add(path, "holds a password; allowed: a secret reference { \"secret\": \"SMTP_URL\" } (set it with " +
                                         "./build.sh Secrets --set SMTP_URL), or smtp://[user@]host[:port] without a password.");
                return null;
            case JsonValueKind.String:
                section.Errors.Add(path, $"is not an SMTP URL; allowed: {SmtpUrlExpected}.");
                return null;
            default:
                section.Errors.Add(path, $"expected {SmtpUrlExpected}, got {JsonSection.Describe(value)}.");
                return null;
        }
    }

    static IReadOnlyList<string>? ReadRecipients(JsonSection section)
    {
        const string expected = "a non-empty list of distinct email addresses, e.g. [\"ops@example.com\"]";
        if (section.Array("to", required: true, expected) is not { } items)
            return null;
        if (items.Count == 0)
        {
            section.Error("to", $"is empty; allowed: {expected}.");
            return null;
        }
        var addresses = new List<string>();
        foreach (var (path, element) in items)
        {
            if (element.ValueKind != JsonValueKind.String)
                section.Errors.Add(path, $"expected {AddressExpected}, got {JsonSection.Describe(element)}.");
            else if (!Address().IsMatch(element.GetString()!))
                section.Errors.Add(path, $"'{element.GetString()}' is not allowed; allowed: {AddressExpected}.");
            else if (addresses.Contains(element.GetString()!, StringComparer.Ordinal))
                section.Errors.Add(path, $"'{element.GetString()}' is listed twice; keep one.");
            else
                addresses.Add(element.GetString()!);
        }
        return addresses.Count == items.Count ? addresses : null;
    }

    [GeneratedRegex(@"^smtps?://([^\s:@/?#]+@)?[^\s:@/?#]+(:[0-9]{1,5})?/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SmtpUrlRegex();

    [GeneratedRegex(@"^smtps?://[^\s@/?#]*:[^\s@/?#]*@", RegexOptions.CultureInvariant)]
    private static partial Regex PasswordInUrl();

    [GeneratedRegex(@"^[^\s@<>,;""]+@[^\s@<>,;""]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}

/// <summary>
/// <c>webhook</c>: a JSON POST signed with HMAC-SHA256 over timestamp and body.
/// <code>"settings": { "url": "https://hooks.example.com/meshhook", "signingSecret": { "secret": "NOTIFY_WEBHOOK_SECRET" } }</code>
/// </summary>
public sealed record WebhookSettings(Uri Url, SecretReference SigningSecret) : NotificationSettings
{
    public override NotificationKind Kind => NotificationKind.Webhook;

    public override IEnumerable<(string Key, SecretReference Secret)> Secrets => [("signingSecret", SigningSecret)];

    internal static WebhookSettings? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var url = HttpUrl.Read(section, "url", required: true, "where the signed JSON is posted");
        var secret = ReadSecret(section, "signingSecret", required: true, "the HMAC key receivers verify signatures with is a credential");
        section.RejectUnknownKeys();
        return url is null || secret is null ? null : new WebhookSettings(url, secret);
    }
}

/// <summary>An http(s) URL setting without user or password in it (a credential belongs in a secret).</summary>
internal static partial class HttpUrl
{
    public const string Pattern = "^https?://[^\\s/?#@]+(/[^\\s]*)?$";

    public static Uri? Read(JsonSection section, string key, bool required, string what)
    {
        var expected = $"an http(s) URL without user or password ({what})";
        var text = section.String(key, required, expected, x => Regex().IsMatch(x) && Uri.TryCreate(x, UriKind.Absolute, out _)
            ? null
            : x.Contains('@') && x.StartsWith("http", StringComparison.OrdinalIgnoreCase)
                ? $"holds a user or password; allowed: {expected}." // not quoted back: it may hold a credential
                : $"'{x}' is not allowed; allowed: {expected}.");
        return text is null ? null : new Uri(text);
    }

    [GeneratedRegex(@"^https?://[^\s/?#@]+(/[^\s]*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Regex();
}
