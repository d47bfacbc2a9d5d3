using System.Text.Json;
using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Tests.Environments;

/// <summary>
/// environment.schema.json (what editors check and complete) and the loader (what the deployer enforces) say the same
/// thing: same sections, enums, ranges and defaults, and the same verdict on every file one change away from a valid one.
/// The loader may be stricter only through its documented cross-checks, which no mutation here touches.
/// </summary>
public sealed class SchemaAgreementTests
{
    static readonly JsonDocument SchemaDocument = JsonDocument.Parse(File.ReadAllText(Repository.SchemaFile));
    static readonly SchemaValidator Schema = new(SchemaDocument.RootElement);

    static JsonElement Definition(string path) => Schema.At(path) ?? throw new InvalidOperationException($"The schema has nothing at {path}.");

    static IReadOnlyList<string> Strings(JsonElement array) => array.EnumerateArray().Select(x => x.GetString()!).ToList();

    [Fact]
    public void Every_environment_json_in_the_repository_is_valid_against_the_schema_and_names_it()
    {
        Assert.Equal(4, Repository.EnvironmentFiles.Count);
        foreach (var file in Repository.EnvironmentFiles)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Empty(Schema.Validate(document.RootElement));
            Assert.Equal("../environment.schema.json", document.RootElement.GetProperty("$schema").GetString());
        }
    }

    [Fact]
    public void Sections_and_enums_are_the_same_in_schema_and_loader()
    {
        var root = SchemaDocument.RootElement;
        Assert.Equal(EnvironmentConfiguration.RequiredSections, Strings(root.GetProperty("required")));
        Assert.Equal(JsonEnum.Names<TargetKind>(), Strings(Definition("target.kind").GetProperty("enum")));
        Assert.Equal(JsonEnum.Names<SecretProviderKind>(), Strings(Definition("secrets.provider").GetProperty("enum")));
        Assert.Equal(JsonEnum.Names<DatabaseKind>(), Strings(Definition("database.kind").GetProperty("enum")));
        Assert.Equal(JsonEnum.Names<NotificationKind>(), Strings(Definition("notifications[0].kind").GetProperty("enum")));
        Assert.Equal(EnvironmentConfiguration.ReservedKeys.Keys.Order(), Strings(Definition("configuration").GetProperty("propertyNames").GetProperty("not").GetProperty("enum")).Order());
        Assert.Equal(VariableName.Pattern, Definition("configuration").GetProperty("propertyNames").GetProperty("pattern").GetString());
        Assert.Equal(VariableName.Pattern, SchemaDocument.RootElement.GetProperty("definitions").GetProperty("secretReference").GetProperty("properties").GetProperty("secret").GetProperty("pattern").GetString());
    }

    [Theory]
    [InlineData("health.intervalSeconds", HealthOptions.MinimumSeconds, HealthOptions.MaximumIntervalSeconds)]
    [InlineData("health.timeoutSeconds", HealthOptions.MinimumSeconds, HealthOptions.MaximumTimeoutSeconds)]
    [InlineData("health.requestTimeoutSeconds", HealthOptions.MinimumSeconds, HealthOptions.MaximumRequestTimeoutSeconds)]
    [InlineData("retention.releases", RetentionOptions.MinimumReleases, RetentionOptions.MaximumReleases)]
    [InlineData("local.edgePort", LocalOptions.MinimumPort, LocalOptions.MaximumPort)]
    [InlineData("local.portRange[0]", LocalOptions.MinimumPort, LocalOptions.MaximumPort)]
    public void Ranges_are_the_same_in_schema_and_loader(string path, int minimum, int maximum)
    {
        var node = Definition(path);
        Assert.Equal((minimum, maximum), (node.GetProperty("minimum").GetInt32(), node.GetProperty("maximum").GetInt32()));
    }

    [Fact]
    public void Defaults_in_the_schema_are_the_ones_the_loader_applies()
    {
        var health = new HealthOptions();
        Assert.Equal(health.Path, Definition("health.path").GetProperty("default").GetString());
        Assert.Equal(health.IntervalSeconds, Definition("health.intervalSeconds").GetProperty("default").GetInt32());
        Assert.Equal(health.TimeoutSeconds, Definition("health.timeoutSeconds").GetProperty("default").GetInt32());
        Assert.Equal(health.RequestTimeoutSeconds, Definition("health.requestTimeoutSeconds").GetProperty("default").GetInt32());
        Assert.Equal(new RetentionOptions().Releases, Definition("retention.releases").GetProperty("default").GetInt32());
        Assert.Equal(new LocalOptions().EdgePort, Definition("local.edgePort").GetProperty("default").GetInt32());
        Assert.Equal([new LocalOptions().PortRange.First, new LocalOptions().PortRange.Last],
            Definition("local.portRange").GetProperty("default").EnumerateArray().Select(x => x.GetInt32()));
        Assert.False(Definition("protection.requireApproval").GetProperty("default").GetBoolean());
        Assert.False(Definition("protection.allowDirtyReleases").GetProperty("default").GetBoolean());
    }

    /// <summary>The repository's files plus variants that use what they do not (env provider, external local database, every channel).</summary>
    public static TheoryData<string, EnvironmentName> Documents()
    {
        var data = new TheoryData<string, EnvironmentName>();
        foreach (var file in Repository.EnvironmentFiles)
            data.Add(File.ReadAllText(file), EnvironmentNames.Parse(Path.GetFileName(Path.GetDirectoryName(file))));
        data.Add(Samples.Change(Samples.Local, x =>
        {
            x["description"] = "variant";
            x["secrets"] = new JsonObject { ["provider"] = "env", ["prefix"] = "MESHHOOK_LOCAL_" };
            x["database"] = new JsonObject { ["kind"] = "external", ["url"] = new JsonObject { ["secret"] = "DATABASE_URL" } };
            x["protection"] = new JsonObject { ["requireApproval"] = true, ["allowDirtyReleases"] = false, ["allowedDeployers"] = new JsonArray("octocat", "hubot") };
            x["notifications"] = EveryChannel();
        }), EnvironmentName.Local);
        // The other shape of each setting: smtpUrl as text, github from GitHub Actions' variables, no optional key.
        data.Add(Samples.Change(Samples.Local, x => x["notifications"] = new JsonArray(
            new JsonObject { ["kind"] = "github" },
            new JsonObject { ["kind"] = "slack", ["settings"] = new JsonObject { ["webhookUrl"] = new JsonObject { ["secret"] = "SLACK_WEBHOOK_URL" } } },
            new JsonObject { ["kind"] = "email", ["settings"] = new JsonObject { ["smtpUrl"] = "smtps://relay@mail.example.com:465", ["to"] = new JsonArray("ops@example.com") } })),
            EnvironmentName.Local);
        return data;
    }

    /// <summary>Every channel kind with every one of its settings.</summary>
    static JsonArray EveryChannel() => new(
        new JsonObject { ["kind"] = "slack", ["settings"] = new JsonObject { ["webhookUrl"] = new JsonObject { ["secret"] = "SLACK_WEBHOOK_URL" }, ["channel"] = "#deploys" } },
        new JsonObject
        {
            ["kind"] = "github",
            ["settings"] = new JsonObject { ["repository"] = "octo/meshhook", ["token"] = new JsonObject { ["secret"] = "GITHUB_DEPLOY_TOKEN" }, ["apiUrl"] = "https://ghe.example.com/api/v3/" },
        },
        new JsonObject
        {
            ["kind"] = "email",
            ["settings"] = new JsonObject
            {
                ["smtpUrl"] = new JsonObject { ["secret"] = "SMTP_URL" }, ["to"] = new JsonArray("ops@example.com", "dev@example.com"), ["from"] = "deploy@example.com",
            },
        },
        new JsonObject { ["kind"] = "webhook", ["settings"] = new JsonObject { ["url"] = "https://hooks.example.com/x", ["signingSecret"] = new JsonObject { ["secret"] = "NOTIFY_WEBHOOK_SECRET" } } });

    /// <summary>Values one edit away from <see cref="EveryChannel"/>'s: (key path, new value as JSON, whether it is allowed).</summary>
    public static TheoryData<string, string, bool> SettingValues() => new()
    {
        { "notifications[0].settings.channel", "\"deploys\"", false },
        { "notifications[0].settings.channel", "\"#Deploys\"", false },
        { "notifications[0].settings.channel", "\"#deploy-log_2\"", true },
        { "notifications[0].settings.webhookUrl", "\"https://hooks.slack.com/services/T/B/X\"", false },
        { "notifications[0].settings.webhookUrl", "{ \"secret\": \"slack-url\" }", false },
        { "notifications[0].settings", "{ \"channel\": \"#deploys\" }", false },
        { "notifications[1].settings", "{}", true },
        { "notifications[1].settings.repository", "\"meshhook\"", false },
        { "notifications[1].settings.repository", "\"octo/mesh/hook\"", false },
        { "notifications[1].settings.repository", "\"octo-org/mesh.hook_2\"", true },
        { "notifications[1].settings.token", "\"ghp_abcdef\"", false },
        { "notifications[1].settings.apiUrl", "\"ftp://ghe.example.com/\"", false },
        { "notifications[1].settings.apiUrl", "\"https://user:pw@ghe.example.com/api/v3/\"", false },
        { "notifications[1].settings.apiUrl", "\"http://127.0.0.1:8080/\"", true },
        { "notifications[2].settings.smtpUrl", "\"smtp://mail.example.com\"", true },
        { "notifications[2].settings.smtpUrl", "\"smtps://relay@mail.example.com:465\"", true },
        { "notifications[2].settings.smtpUrl", "\"smtp://relay:hunter2@mail.example.com:587\"", false },
        { "notifications[2].settings.smtpUrl", "\"http://mail.example.com\"", false },
        { "notifications[2].settings.smtpUrl", "\"smtp://mail.example.com:port\"", false },
        { "notifications[2].settings.to", "[]", false },
        { "notifications[2].settings.to", "[\"ops@example.com\", \"ops@example.com\"]", false },
        { "notifications[2].settings.to", "\"ops@example.com\"", false },
        { "notifications[2].settings.to[1]", "\"dev\"", false },
        { "notifications[2].settings.to[1]", "\"Dev Team <dev@example.com>\"", false },
        { "notifications[2].settings.from", "\"deploy at example.com\"", false },
        { "notifications[2].settings", "{ \"to\": [\"ops@example.com\"] }", false },
        { "notifications[3].settings.url", "\"hooks.example.com/x\"", false },
        { "notifications[3].settings.url", "\"http://127.0.0.1:9000/hook?env=local\"", true },
        { "notifications[3].settings.signingSecret", "\"whsec_123\"", false },
        { "notifications[3].settings", "{ \"url\": \"https://hooks.example.com/x\" }", false },
        { "notifications[3].kind", "\"slack\"", false },
        { "notifications[1].kind", "\"webhook\"", false },
        { "notifications[3]", "{ \"kind\": \"webhook\" }", false },
        { "notifications[0]", "{ \"kind\": \"github\" }", true },
    };

    [Theory]
    [MemberData(nameof(SettingValues))]
    public void Schema_and_loader_agree_on_each_notification_setting_value(string path, string value, bool allowed)
    {
        var document = Replace(Samples.Node(Samples.Change(Samples.Local, x => x["notifications"] = EveryChannel())), path, JsonNode.Parse(value)!);
        var text = document.ToJsonString();

        var schemaErrors = Schema.Validate(JsonDocument.Parse(text).RootElement);
        var loaderError = Record.Exception(() => Samples.Parse(text));

        Assert.True(loaderError is null or EnvironmentConfigurationException, $"the loader crashed: {loaderError}");
        var problems = ((EnvironmentConfigurationException?)loaderError)?.Errors ?? [];
        Assert.True(allowed == (schemaErrors.Count == 0), $"schema: {(schemaErrors.Count == 0 ? "accepted" : string.Join(" | ", schemaErrors))}");
        Assert.True(allowed == (problems.Count == 0), $"loader: {(problems.Count == 0 ? "accepted" : string.Join(" | ", problems))}");
        // A changed kind makes the channel's settings wrong: the errors name the channel.
        var named = path.EndsWith(".kind", StringComparison.Ordinal) ? path[..^".kind".Length] : path;
        if (!allowed)
            Assert.Contains(problems, x => x.Contains($": {named}", StringComparison.Ordinal));
    }

    [Fact]
    public void Notification_setting_patterns_are_the_same_in_schema_and_loader()
    {
        var definitions = SchemaDocument.RootElement.GetProperty("definitions");
        string Pattern(params string[] path) => path.Aggregate(definitions, (node, key) => node.GetProperty(key)).GetProperty("pattern").GetString()!;
        Assert.Equal(SlackSettings.ChannelPattern, Pattern("slackSettings", "properties", "channel"));
        Assert.Equal(GitHubSettings.RepositoryPattern, Pattern("githubSettings", "properties", "repository"));
        Assert.Equal(EmailSettings.SmtpUrlPattern, definitions.GetProperty("emailSettings").GetProperty("properties").GetProperty("smtpUrl").GetProperty("anyOf")[0].GetProperty("pattern").GetString());
        Assert.Equal(EmailSettings.AddressPattern, Pattern("emailAddress"));
        Assert.Equal(HttpUrl.Pattern, Pattern("httpUrl"));
        Assert.Equal(["webhookUrl"], Strings(definitions.GetProperty("slackSettings").GetProperty("required")));
        Assert.Equal(["smtpUrl", "to"], Strings(definitions.GetProperty("emailSettings").GetProperty("required")));
        Assert.Equal(["url", "signingSecret"], Strings(definitions.GetProperty("webhookSettings").GetProperty("required")));
        Assert.False(definitions.GetProperty("githubSettings").TryGetProperty("required", out _));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Schema_and_loader_give_the_same_verdict_on_every_document_one_change_away(string json, EnvironmentName environment)
    {
        Assert.Empty(Schema.Validate(JsonDocument.Parse(json).RootElement));
        _ = Samples.Parse(json, environment);

        var failures = new List<string>();
        var original = Samples.Node(json);
        var mutations = 0;
        foreach (var (path, node) in Walk(original, string.Empty))
        {
            if (node is JsonObject)
            {
                Check($"add an unknown key to '{path}'", Edit(original, path, x => x.AsObject()["unexpectedKey"] = true), Child(path, "unexpectedKey"));
                foreach (var key in node.AsObject().Select(x => x.Key).ToList())
                    Check($"remove '{Child(path, key)}'", Edit(original, path, x => x.AsObject().Remove(key)), Child(path, key));
            }
            if (path.Length == 0)
                continue;

            Check($"give '{path}' a value of another type", Replace(original, path, OtherType(node)), path);
            if (Schema.At(path) is { } schema)
            {
                if (schema.TryGetProperty("enum", out var allowed) && node is JsonValue)
                {
                    var error = Check($"set '{path}' to a value not in its enum", Replace(original, path, JsonValue.Create("bogus")), path);
                    if (error is not null && !error.Contains("allowed: " + string.Join(", ", Strings(allowed)) + ".", StringComparison.Ordinal))
                        failures.Add($"{path}: the loader's message does not list the schema's values {string.Join(", ", Strings(allowed))}: {error}");
                }
                if (schema.TryGetProperty("minimum", out var minimum) && schema.TryGetProperty("maximum", out var maximum) && node is JsonValue)
                {
                    foreach (var outside in new[] { minimum.GetInt32() - 1, maximum.GetInt32() + 1 })
                    {
                        var error = Check($"set '{path}' to {outside}", Replace(original, path, JsonValue.Create(outside)), path);
                        if (error is not null && !error.Contains($"from {minimum.GetInt32()} to {maximum.GetInt32()}", StringComparison.Ordinal))
                            failures.Add($"{path}: the loader's message does not give the schema's range: {error}");
                    }
                }
            }
        }
        Assert.True(mutations > 40, $"Only {mutations} mutations were tried.");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        // Both verdicts for one document; the loader's errors must name the changed key when both refuse it.
        string? Check(string description, JsonObject document, string changedPath)
        {
            mutations++;
            var text = document.ToJsonString();
            var schemaErrors = Schema.Validate(JsonDocument.Parse(text).RootElement);
            var loaderError = Record.Exception(() => Samples.Parse(text, environment));
            if (loaderError is not null and not EnvironmentConfigurationException)
            {
                failures.Add($"{description}: the loader crashed: {loaderError}");
                return null;
            }
            var problems = ((EnvironmentConfigurationException?)loaderError)?.Errors ?? [];
            if (schemaErrors.Count == 0 && problems.Count == 0)
                return null;
            if (schemaErrors.Count == 0)
                failures.Add($"{description}: the schema accepts it, the loader refuses it: {string.Join(" | ", problems)}");
            else if (problems.Count == 0)
                failures.Add($"{description}: the loader accepts it, the schema refuses it: {string.Join(" | ", schemaErrors)}");
            else if (problems.FirstOrDefault(x => Names(x, changedPath)) is { } named)
                return named;
            else
                failures.Add($"{description}: the loader refuses it without naming {changedPath}: {string.Join(" | ", problems)}");
            return null;
        }
    }

    static bool Names(string error, string path) =>
        error.Contains($": {path}:", StringComparison.Ordinal) || error.Contains($": {path}.", StringComparison.Ordinal) ||
        error.Contains($": {path}[", StringComparison.Ordinal);

    static IEnumerable<(string Path, JsonNode Node)> Walk(JsonNode node, string path)
    {
        yield return (path, node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var item in Walk(child!, Child(path, key)))
                        yield return item;
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var item in Walk(array[i]!, $"{path}[{i}]"))
                        yield return item;
                }
                break;
        }
    }

    /// <summary>A copy of the document with the node at <paramref name="path"/> changed in place.</summary>
    static JsonObject Edit(JsonObject original, string path, Action<JsonNode> edit)
    {
        var copy = original.DeepClone().AsObject();
        edit(Walk(copy, string.Empty).Single(x => x.Path == path).Node);
        return copy;
    }

    /// <summary>A copy of the document with the node at <paramref name="path"/> replaced.</summary>
    static JsonObject Replace(JsonObject original, string path, JsonNode replacement)
    {
        var copy = original.DeepClone().AsObject();
        var target = Walk(copy, string.Empty).Single(x => x.Path == path).Node;
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                break;
            case JsonArray array:
                array[target.GetElementIndex()] = replacement;
                break;
        }
        return copy;
    }

    static JsonNode OtherType(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => JsonValue.Create(12345),
        JsonValueKind.Number => JsonValue.Create("text"),
        JsonValueKind.True or JsonValueKind.False => JsonValue.Create("yes"),
        _ => JsonValue.Create("text"),
    };

    static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;
}
