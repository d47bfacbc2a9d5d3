using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// The deploy settings of one environment, <c>infra/environments/&lt;env&gt;/environment.json</c> (schema:
/// <c>infra/environments/environment.schema.json</c>), read and validated as a whole before anything runs: one options class
/// per section. Every problem of the file is reported together, each with file, line, column, key path and what is allowed.
/// </summary>
public sealed partial class EnvironmentConfiguration
{
    public const string SchemaFile = "infra/environments/environment.schema.json";

    /// <summary>The sections a file must have (<c>notifications</c> and <c>description</c> may be left out; <c>local</c> is
    /// required exactly when <c>target.kind</c> is local).</summary>
    public static IReadOnlyList<string> RequiredSections { get; } =
        ["target", "url", "health", "configuration", "secrets", "database", "protection", "retention"];

    /// <summary>Configuration keys the deployer sets itself, with where their value comes from.</summary>
    public static IReadOnlyDictionary<string, string> ReservedKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DATABASE_URL"] = "the deployer sets it from the database section",
        ["ORIGIN"] = "the deployer sets it from url",
        ["MESHHOOK_RELEASE"] = "the deployer sets it to the release being deployed",
        ["PORT"] = "the deployer sets it (each release listens on its own port)",
        ["HOST"] = "the deployer sets it (each release listens on its own port)",
    };

    public required EnvironmentName Name { get; init; }

    /// <summary>Where the settings were read from, relative to the repository (forward slashes).</summary>
    public required string File { get; init; }

    public string? Description { get; init; }

    public required TargetOptions Target { get; init; }

    /// <summary>The public origin users reach the environment at (scheme, host and port; no path).</summary>
    public required Uri Url { get; init; }

    public required HealthOptions Health { get; init; }

    /// <summary>The apps' environment variables: plain values and secret references.</summary>
    public required IReadOnlyDictionary<string, ConfigurationValue> Configuration { get; init; }

    public required SecretsOptions Secrets { get; init; }

    public required DatabaseOptions Database { get; init; }

    public required ProtectionOptions Protection { get; init; }

    public IReadOnlyList<NotificationChannel> Notifications { get; init; } = [];

    public required RetentionOptions Retention { get; init; }

    /// <summary>Set exactly when <see cref="TargetOptions.Kind"/> is <see cref="TargetKind.Local"/>.</summary>
    public LocalOptions? Local { get; init; }

    /// <summary><c>https://host[:port]</c> without a trailing slash, as ORIGIN wants it.</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>Every secret the environment refers to, with the key path that refers to it, in file order.</summary>
    public IReadOnlyList<(string Path, SecretReference Secret)> SecretReferences =>
    [
        .. Configuration.Where(x => x.Value.Secret is not null).Select(x => ($"configuration.{x.Key}", x.Value.Secret!)),
        .. Database.Url is { } url ? [("database.url", url)] : Array.Empty<(string, SecretReference)>(),
        .. Notifications.SelectMany((channel, i) => channel.Settings.Secrets.Select(x => ($"notifications[{i}].settings.{x.Key}", x.Secret))),
    ];

    public static string RelativePath(EnvironmentName environment) => $"infra/environments/{environment.ToText()}/environment.json";

    /// <summary>Reads and validates <c>infra/environments/&lt;env&gt;/environment.json</c> of the repository.</summary>
    /// <exception cref="EnvironmentConfigurationException">The file is missing (the message lists the environments there are), not JSON, or breaks a rule (all problems listed).</exception>
    public static EnvironmentConfiguration Load(string repositoryRoot, EnvironmentName environment)
    {
        var relative = RelativePath(environment);
        var path = Path.Combine(repositoryRoot, relative);
        if (!System.IO.File.Exists(path))
            throw EnvironmentNames.Unknown(repositoryRoot, environment);
        return Parse(System.IO.File.ReadAllText(path), environment, relative);
    }

    /// <inheritdoc cref="Load(string, EnvironmentName)"/>
    /// <exception cref="EnvironmentConfigurationException">Also: not a well-formed environment name (checked before any file is read).</exception>
    public static EnvironmentConfiguration Load(string repositoryRoot, string environment) =>
        Load(repositoryRoot, EnvironmentNames.Parse(environment));

    /// <summary>Reads and validates settings given as text; <paramref name="file"/> is how errors name it.</summary>
    public static EnvironmentConfiguration Parse(string json, EnvironmentName environment, string file)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            var column = (exception.BytePositionInLine ?? 0) + 1;
            throw new EnvironmentConfigurationException(file, [$"{file}:{line}:{column}: not valid JSON: {ParserMessage(exception)}"]);
        }

        using (document)
        {
            var errors = new FileErrors(file, JsonPositions.Scan(bytes));
            var configuration = Read(document.RootElement, environment, file, errors);
            errors.ThrowIfAny();
            return configuration!;
        }
    }

    static EnvironmentConfiguration? Read(JsonElement element, EnvironmentName environment, string file, FileErrors errors)
    {
        if (JsonSection.From(element, string.Empty, errors, "an object with the sections " + string.Join(", ", RequiredSections)) is not { } root)
            return null;

        root.String("$schema", required: false, "the path of the schema (../environment.schema.json)");
        var description = root.String("description", required: false, "a string");
        var target = TargetOptions.Read(root.Object("target", required: true, "an object { \"kind\": \"local\" | \"containerApps\", ... }"));
        var url = ReadUrl(root, target);
        var health = HealthOptions.Read(root.Object("health", required: true, "an object { \"path\", \"intervalSeconds\", \"timeoutSeconds\", \"requestTimeoutSeconds\" }"));
        var configuration = ReadConfiguration(root.Object("configuration", required: true, "an object of NAME: string or { \"secret\": \"NAME\" }"), environment);
        var secrets = SecretsOptions.Read(root.Object("secrets", required: true, "an object { \"provider\": \"env\" | \"file\" | \"keyvault\", ... }"));
        var database = DatabaseOptions.Read(root.Object("database", required: true, "an object { \"kind\": \"embedded\" | \"external\", ... }"));
        var protection = ProtectionOptions.Read(root.Object("protection", required: true, "an object { \"requireApproval\", \"allowDirtyReleases\", \"allowedDeployers\" }"));
        var notifications = ReadNotifications(root);
        var retention = RetentionOptions.Read(root.Object("retention", required: true, "an object { \"releases\": 2-100 }"));

        LocalOptions? local = null;
        if (target?.Kind == TargetKind.Local)
            local = LocalOptions.Read(root.Object("local", required: true, "an object { \"edgePort\", \"portRange\" } (target.kind is local)"));
        else if (target is null)
            root.Has("local");
        else
            root.Forbid("local", $"only a local target has a local section (target.kind is {JsonEnum.Name(target.Kind)}).");
        root.RejectUnknownKeys();

        if (database?.Kind == DatabaseKind.Embedded && target is { Kind: not TargetKind.Local })
            errors.Add("database.kind", $"embedded is only for a local target (target.kind is {JsonEnum.Name(target.Kind)}); " +
                                        "use { \"kind\": \"external\", \"url\": { \"secret\": \"DATABASE_URL\" } }.");
        if (local is not null && url is not null && url.Port != local.EdgePort)
            errors.Add("local.edgePort", $"{local.EdgePort} differs from the port of url ({url.Port}); the edge listens on local.edgePort and url is " +
                                         "where it is reached: make them the same.");

        if (local is { ExposeBeyondLoopback: false } && url is not null && !IsLoopback(url))
            errors.Add("url", $"'{url.GetLeftPart(UriPartial.Authority)}' is not a loopback address: the local edge would answer on that interface, " +
                              "reachable beyond this machine. Use http://127.0.0.1:<port> (or localhost), or opt in with " +
                              "\"local\": { \"exposeBeyondLoopback\": true }.");

        if (errors.Count > 0)
            return null;
        return new EnvironmentConfiguration
        {
            Name = environment,
            File = file,
            Description = description,
            Target = target!,
            Url = url!,
            Health = health!,
            Configuration = configuration!,
            Secrets = secrets!,
            Database = database!,
            Protection = protection!,
            Notifications = notifications,
            Retention = retention!,
            Local = local,
        };
    }

    static Uri? ReadUrl(JsonSection root, TargetOptions? target)
    {
        var expected = "the public origin, http(s)://host[:port] without path, query or fragment (e.g. https://meshhook.example.com)";
        var text = root.String("url", required: true, expected, x => OriginPattern().IsMatch(x) && Uri.TryCreate(x, UriKind.Absolute, out _)
            ? null
            : $"'{x}' is not allowed; allowed: {expected}.");
        if (text is null)
            return null;
        var url = new Uri(text);
        if (target?.Kind == TargetKind.ContainerApps && url.Scheme != Uri.UriSchemeHttps)
        {
            root.Error("url", $"'{text}' is not https; a containerApps target is public: allowed: https://host.");
            return null;
        }
        return url;
    }

    static bool IsLoopback(Uri url) =>
        url.IsLoopback || System.Net.IPAddress.TryParse(url.IdnHost, out var address) && System.Net.IPAddress.IsLoopback(address);

    static IReadOnlyDictionary<string, ConfigurationValue>? ReadConfiguration(JsonSection? section, EnvironmentName environment)
    {
        if (section is null)
            return null;
        var values = new SortedDictionary<string, ConfigurationValue>(StringComparer.Ordinal);
        foreach (var (key, element) in section.Properties)
        {
            var path = section.PathOf(key);
            if (!VariableName.IsValid(key))
            {
                section.Errors.Add(path, VariableName.Problem(key) + " Configuration keys are the apps' environment variables.");
                continue;
            }
            if (ReservedKeys.TryGetValue(key, out var reason))
            {
                section.Errors.Add(path, $"is not set here: {reason}.");
                continue;
            }
            if (ConfigurationValue.Read(element, path, section.Errors) is not { } value)
                continue;
            if (value.Text is { } text && text.IndexOfAny(['\n', '\r', '\0']) >= 0)
                section.Errors.Add(path, "contains a line break or NUL character; a configuration value is one line (it is written to an env file).");
            else if (key == "MESHHOOK_ENVIRONMENT" && value.Text != environment.ToText())
                section.Errors.Add(path, $"must be \"{environment.ToText()}\" in {environment.ToText()}'s file (the apps report it); leave it out and the deployer sets it.");
            else
                values[key] = value;
        }
        return values;
    }

    static IReadOnlyList<NotificationChannel> ReadNotifications(JsonSection root)
    {
        var channels = new List<NotificationChannel>();
        foreach (var (path, element) in root.Array("notifications", required: false, "an array of channels { \"kind\": \"slack\" | \"github\" | \"email\" | \"webhook\", \"settings\": { ... } }") ?? [])
        {
            if (NotificationChannel.Read(JsonSection.From(element, path, root.Errors, "a channel { \"kind\", \"settings\" }")) is { } channel)
                channels.Add(channel);
        }
        return channels;
    }

    // System.Text.Json appends " LineNumber: n | BytePositionInLine: m." to its messages; the location is given already.
    static string ParserMessage(JsonException exception) =>
        Regex.Replace(exception.Message, @"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$", string.Empty).TrimEnd();

    [GeneratedRegex(@"^https?://[^/?#\s@]+/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex OriginPattern();
}
