using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Tests.Environments;

/// <summary>
/// notifications[].settings are typed per channel kind and checked when environment.json is read: a wrong setting is an
/// error naming file, line, key and what is allowed, before any deploy runs; credentials are secret references only.
/// </summary>
public sealed class NotificationSettingsTests
{
    static string WithChannels(params JsonObject[] channels) => Samples.Change(Samples.Local, x => x["notifications"] = new JsonArray(channels));

    static JsonObject Channel(string kind, JsonObject? settings = null) =>
        settings is null ? new JsonObject { ["kind"] = kind } : new JsonObject { ["kind"] = kind, ["settings"] = settings };

    static JsonObject Secret(string name) => new() { ["secret"] = name };

    static string Error(string json) => Assert.Single(Samples.Problems(json).Errors);

    [Fact]
    public void Every_channel_kind_reads_into_its_typed_settings()
    {
        var configuration = Samples.Parse(WithChannels(
            Channel("slack", new JsonObject { ["webhookUrl"] = Secret("SLACK_WEBHOOK_URL"), ["channel"] = "#deploys" }),
            Channel("github", new JsonObject { ["repository"] = "octo/meshhook", ["token"] = Secret("GITHUB_DEPLOY_TOKEN"), ["apiUrl"] = "https://ghe.example.com/api/v3/" }),
            Channel("github"),
            Channel("email", new JsonObject { ["smtpUrl"] = "smtp://relay@mail.example.com:587", ["to"] = new JsonArray("ops@example.com", "dev@example.com"), ["from"] = "deploy@example.com" }),
            Channel("email", new JsonObject { ["smtpUrl"] = Secret("SMTP_URL"), ["to"] = new JsonArray("ops@example.com") }),
            Channel("webhook", new JsonObject { ["url"] = "https://hooks.example.com/meshhook", ["signingSecret"] = Secret("NOTIFY_WEBHOOK_SECRET") })));

        var channels = configuration.Notifications;
        Assert.Equal(new SlackSettings(new SecretReference("SLACK_WEBHOOK_URL"), "#deploys"), channels[0].Settings);
        Assert.Equal(new GitHubSettings("octo/meshhook", new SecretReference("GITHUB_DEPLOY_TOKEN"), new Uri("https://ghe.example.com/api/v3/")), channels[1].Settings);
        Assert.Equal(new GitHubSettings(), channels[2].Settings);
        var email = Assert.IsType<EmailSettings>(channels[3].Settings);
        Assert.Equal(("smtp://relay@mail.example.com:587", "deploy@example.com"), (email.SmtpUrl.Text, email.From));
        Assert.Equal(["ops@example.com", "dev@example.com"], email.To);
        Assert.Equal("SMTP_URL", Assert.IsType<EmailSettings>(channels[4].Settings).SmtpUrl.Secret?.Name);
        Assert.Equal(new WebhookSettings(new Uri("https://hooks.example.com/meshhook"), new SecretReference("NOTIFY_WEBHOOK_SECRET")), channels[5].Settings);
        Assert.Equal([NotificationKind.Slack, NotificationKind.GitHub, NotificationKind.GitHub, NotificationKind.Email, NotificationKind.Email, NotificationKind.Webhook],
            channels.Select(x => x.Kind));
        Assert.Equal(
        [
            ("notifications[0].settings.webhookUrl", "SLACK_WEBHOOK_URL"),
            ("notifications[1].settings.token", "GITHUB_DEPLOY_TOKEN"),
            ("notifications[4].settings.smtpUrl", "SMTP_URL"),
            ("notifications[5].settings.signingSecret", "NOTIFY_WEBHOOK_SECRET"),
        ], configuration.SecretReferences.Where(x => x.Path.StartsWith("notifications", StringComparison.Ordinal)).Select(x => (x.Path, x.Secret.Name)));
    }

    [Fact]
    public void A_webhook_url_written_as_text_is_refused_at_its_line_without_repeating_it()
    {
        const string url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
        var json = WithChannels(Channel("slack", new JsonObject { ["webhookUrl"] = url }));

        var error = Error(json);

        var line = json.Split('\n').ToList().FindIndex(x => x.Contains("\"webhookUrl\"", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"infra/environments/local/environment.json:{line}:", error);
        Assert.Contains(": notifications[0].settings.webhookUrl: expected a secret reference { \"secret\": \"NAME\" }, got a string: the webhook URL is the credential", error);
        Assert.DoesNotContain(url, error);
    }

    [Fact]
    public void An_smtp_url_with_a_password_must_be_a_secret_and_the_password_is_not_repeated()
    {
        var error = Error(WithChannels(Channel("email", new JsonObject { ["smtpUrl"] = "smtp://deploy:hunter2pass@mail.example.com:587", ["to"] = new JsonArray("ops@example.com") })));

        Assert.Contains(": notifications[0].settings.smtpUrl: holds a password; allowed: a secret reference { \"secret\": \"SMTP_URL\" }", error);
        Assert.DoesNotContain("hunter2pass", error);
    }

    [Theory]
    [InlineData("slack", """{ "webhookUrl": { "secret": "SLACK_WEBHOOK_URL" }, "channel": "deploys" }""",
        "notifications[0].settings.channel: 'deploys' is not allowed; allowed: a Slack channel name: '#' then up to 80 lower-case letters, digits, '.', '_' or '-' (e.g. #deploys).")]
    [InlineData("slack", """{ "channel": "#deploys" }""",
        "notifications[0].settings.webhookUrl: missing; required: a secret reference { \"secret\": \"NAME\" } (the webhook URL is the credential).")]
    [InlineData("slack", """{ "webhookUrl": { "secret": "SLACK_WEBHOOK_URL" }, "username": "bot" }""",
        "notifications[0].settings.username: unknown key; allowed here: webhookUrl, channel.")]
    [InlineData("github", """{ "repository": "meshhook" }""",
        "notifications[0].settings.repository: 'meshhook' is not allowed; allowed: owner/name (letters, digits and '-' for the owner; letters, digits, '.', '_' and '-' for the name).")]
    [InlineData("github", """{ "token": "ghp_abc" }""",
        "notifications[0].settings.token: expected a secret reference { \"secret\": \"NAME\" }, got a string: a token that can write deployments is a credential, so it stays out of the repository (set it with ./build.sh Secrets --set NAME).")]
    [InlineData("github", """{ "apiUrl": "ftp://ghe.example.com" }""",
        "notifications[0].settings.apiUrl: 'ftp://ghe.example.com' is not allowed; allowed: an http(s) URL without user or password (the REST API's base URL (GitHub Enterprise: https://<host>/api/v3/)).")]
    [InlineData("email", """{ "smtpUrl": "smtp://mail.example.com", "to": "ops@example.com" }""",
        "notifications[0].settings.to: expected a non-empty list of distinct email addresses, e.g. [\"ops@example.com\"], got a string.")]
    [InlineData("email", """{ "smtpUrl": "smtp://mail.example.com", "to": [] }""",
        "notifications[0].settings.to: is empty; allowed: a non-empty list of distinct email addresses, e.g. [\"ops@example.com\"].")]
    [InlineData("email", """{ "smtpUrl": "smtp://mail.example.com", "to": ["ops@example.com", "ops"] }""",
        "notifications[0].settings.to[1]: 'ops' is not allowed; allowed: an email address (name@host).")]
    [InlineData("email", """{ "smtpUrl": "smtp://mail.example.com", "to": ["ops@example.com", "ops@example.com"] }""",
        "notifications[0].settings.to[1]: 'ops@example.com' is listed twice; keep one.")]
    [InlineData("email", """{ "smtpUrl": "http://mail.example.com", "to": ["ops@example.com"] }""",
        "notifications[0].settings.smtpUrl: is not an SMTP URL; allowed: smtp://[user@]host[:port] or smtps://... as text, or a secret reference { \"secret\": \"SMTP_URL\" } when it holds a password.")]
    [InlineData("webhook", """{ "url": "https://hooks.example.com/x" }""",
        "notifications[0].settings.signingSecret: missing; required: a secret reference { \"secret\": \"NAME\" } (the HMAC key receivers verify signatures with is a credential).")]
    [InlineData("webhook", """{ "url": "https://user:pw@hooks.example.com/x", "signingSecret": { "secret": "HOOK_KEY" } }""",
        "notifications[0].settings.url: holds a user or password; allowed: an http(s) URL without user or password (where the signed JSON is posted).")]
    [InlineData("webhook", null,
        "notifications[0].settings: missing; required: an object { \"url\", \"signingSecret\": { \"secret\": \"NAME\" } }.")]
    public void A_wrong_setting_is_named_with_what_is_allowed(string kind, string? settings, string expected)
    {
        var json = WithChannels(Channel(kind, settings is null ? null : JsonNode.Parse(settings)!.AsObject()));

        var error = Error(json);

        Assert.Matches(@"^infra/environments/local/environment\.json:\d+:\d+: ", error);
        Assert.EndsWith(": " + expected, error);
    }

    [Fact]
    public void Deploy_stops_on_a_bad_setting_before_anything_runs()
    {
        using var scratch = new Scratch();
        Samples.WriteRepository(scratch.Path, EnvironmentName.Local, WithChannels(Channel("webhook", new JsonObject { ["url"] = "not a url", ["signingSecret"] = Secret("HOOK_KEY") })));

        var error = Assert.Throws<EnvironmentConfigurationException>(() => new EnvironmentOperations(scratch.Path, EnvironmentName.Local,
            new Deployment.Releases.ReleaseStore(scratch.Combine("artifacts", "releases")), new MeshHook.Tooling.ToolRunner(new MeshHook.Tooling.SecretMasker()), new Dictionary<string, string>(),
            LocalPrograms.InRepository(scratch.Path, "edge.dll"), TimeProvider.System, Deployment.Stages.DeploymentLog.Silent));

        Assert.Contains("notifications[0].settings.url: 'not a url' is not allowed", error.Message);
        Assert.False(Directory.Exists(scratch.Combine(".deploy")));
    }
}
