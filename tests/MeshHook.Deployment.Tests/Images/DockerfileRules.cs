using System.Text.Json;
using System.Text.RegularExpressions;
using MeshHook.Deployment.Images;
using MeshHook.Deployment.Tests.Infrastructure;

namespace MeshHook.Deployment.Tests.Images;

/// <summary>
/// What every image definition in docker/ must be: base pinned by digest (through the NODE_IMAGE build argument from
/// docker/base-image.txt, or a digest in FROM), a non-root user before the command, a health check, the OCI labels, no
/// secret in ARG or ENV, nothing copied from outside the build context. Each problem is one line naming the rule.
/// </summary>
internal static partial class DockerfileRules
{
    public const string BaseImageArgument = "NODE_IMAGE";

    public static readonly string[] RequiredLabels =
    [
        "org.opencontainers.image.revision",
        "org.opencontainers.image.version",
        "org.opencontainers.image.source",
        "org.opencontainers.image.created",
    ];

    /// <param name="secretNames">Variable names that hold secrets (the environments' secret references), never allowed in ARG or ENV.</param>
    public static IReadOnlyList<string> Check(string text, IReadOnlySet<string> secretNames)
    {
        var instructions = DockerfileInstructions.Parse(text);
        var problems = new List<string>();
        BasePinned(instructions, problems);
        NonRootBeforeCommand(instructions, problems);
        HealthCheck(instructions, problems);
        Labels(instructions, problems);
        NoSecrets(instructions, secretNames, problems);
        CopiesFromContext(instructions, problems);
        return problems;
    }

    static void BasePinned(IReadOnlyList<DockerfileInstruction> instructions, List<string> problems)
    {
        var froms = instructions.Where(x => x.Keyword == "FROM").ToList();
        if (froms.Count == 0)
            problems.Add("base: no FROM");
        foreach (var from in froms)
        {
            var image = DockerfileInstructions.Tokens(from.Arguments).FirstOrDefault(x => !x.StartsWith("--", StringComparison.Ordinal)) ?? "";
            if (image is "${" + BaseImageArgument + "}" or "$" + BaseImageArgument)
            {
                var declared = instructions.TakeWhile(x => x != from).Where(x => x.Keyword == "ARG")
                    .SelectMany(DockerfileInstructions.Pairs).Where(x => x.Key == BaseImageArgument).ToList();
                if (declared.Count == 0)
                    problems.Add($"base: line {from.Line}: FROM {image} without ARG {BaseImageArgument} before it");
                else if (declared.Any(x => x.Value is not null))
                    problems.Add($"base: line {from.Line}: ARG {BaseImageArgument} has a default, a second pin beside docker/base-image.txt (which may drift)");
            }
            else if (!ImageSources.IsPinned(image))
                problems.Add($"base: line {from.Line}: FROM {image} is not pinned by digest (use ${{{BaseImageArgument}}} from docker/base-image.txt)");
        }
    }

    static void NonRootBeforeCommand(IReadOnlyList<DockerfileInstruction> instructions, List<string> problems)
    {
        var command = instructions.LastOrDefault(x => x.Keyword is "CMD" or "ENTRYPOINT");
        if (command is null)
        {
            problems.Add("user: no CMD or ENTRYPOINT");
            return;
        }
        if (!command.Arguments.StartsWith('['))
            problems.Add($"command: line {command.Line}: {command.Keyword} in shell form (node would not be PID 1 and would miss SIGTERM); use the JSON array form");
        var users = instructions.Where(x => x.Keyword == "USER").ToList();
        var before = users.LastOrDefault(x => x.Line < command.Line);
        if (before is null)
            problems.Add("user: no USER before " + command.Keyword + " (the app would run as root)");
        else if (IsRoot(before.Arguments))
            problems.Add($"user: line {before.Line}: USER {before.Arguments} is root");
        foreach (var later in users.Where(x => x.Line > command.Line && IsRoot(x.Arguments)))
            problems.Add($"user: line {later.Line}: USER {later.Arguments} after {command.Keyword} makes the image run as root");
    }

    static bool IsRoot(string user) => user.Split(':')[0].Trim() is "root" or "0" or "";

    static void HealthCheck(IReadOnlyList<DockerfileInstruction> instructions, List<string> problems)
    {
        var checks = instructions.Where(x => x.Keyword == "HEALTHCHECK").ToList();
        if (checks.Count == 0 || checks[^1].Arguments.Trim().Equals("NONE", StringComparison.OrdinalIgnoreCase))
            problems.Add("healthcheck: no HEALTHCHECK");
        else if (!Regex.IsMatch(checks[^1].Arguments, @"(^|\s)CMD\s+\[") || !checks[^1].Arguments.Contains("/health", StringComparison.Ordinal))
            problems.Add($"healthcheck: line {checks[^1].Line}: HEALTHCHECK must run CMD [\"node\", ...] against /health (slim images have no curl)");
    }

    static void Labels(IReadOnlyList<DockerfileInstruction> instructions, List<string> problems)
    {
        var labels = instructions.Where(x => x.Keyword == "LABEL").SelectMany(DockerfileInstructions.Pairs)
            .Where(x => !string.IsNullOrWhiteSpace(x.Value)).Select(x => x.Key).ToHashSet();
        foreach (var label in RequiredLabels.Where(x => !labels.Contains(x)))
            problems.Add($"labels: no {label}");
    }

    static void NoSecrets(IReadOnlyList<DockerfileInstruction> instructions, IReadOnlySet<string> secretNames, List<string> problems)
    {
        foreach (var instruction in instructions.Where(x => x.Keyword is "ARG" or "ENV"))
        {
            foreach (var (key, value) in DockerfileInstructions.Pairs(instruction))
            {
                if (secretNames.Contains(key) || SecretName().IsMatch(key))
                    problems.Add($"secrets: line {instruction.Line}: {instruction.Keyword} {key} names a secret (secrets reach the container at run time, never through the image)");
                if (value is not null && (UrlWithPassword().IsMatch(value) || SecretLiteralScanner.Scan("Dockerfile", value).Count > 0))
                    problems.Add($"secrets: line {instruction.Line}: {instruction.Keyword} {key} has a value that looks like a secret");
            }
        }
    }

    static void CopiesFromContext(IReadOnlyList<DockerfileInstruction> instructions, List<string> problems)
    {
        foreach (var instruction in instructions.Where(x => x.Keyword is "COPY" or "ADD"))
        {
            var tokens = DockerfileInstructions.Tokens(instruction.Arguments);
            if (tokens.Any(x => x.StartsWith("--from", StringComparison.Ordinal)))
                problems.Add($"copy: line {instruction.Line}: {instruction.Keyword} --from takes files from outside the release's context");
            var sources = tokens.Where(x => !x.StartsWith("--", StringComparison.Ordinal)).SkipLast(1).ToList();
            foreach (var source in sources)
            {
                if (source.StartsWith('/') || source.Split('/').Contains("..") || source.Contains("://", StringComparison.Ordinal))
                    problems.Add($"copy: line {instruction.Line}: {instruction.Keyword} {source} is outside the build context");
                else if (!(source == "app" || source.StartsWith("app/", StringComparison.Ordinal)))
                    problems.Add($"copy: line {instruction.Line}: {instruction.Keyword} {source}: only app/ (the release's artifact) may go into the image");
            }
        }
    }

    /// <summary>Every name the environments' files treat as a secret: secret references and the keys that hold them.</summary>
    public static IReadOnlySet<string> EnvironmentSecretNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { "DATABASE_URL", "PGPASSWORD" };
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryFiles.Infra, "environments"), "environment.json", SearchOption.AllDirectories))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            Collect(document.RootElement, null, names);
        }
        return names;

        static void Collect(JsonElement element, string? key, HashSet<string> names)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "secret" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        names.Add(property.Value.GetString()!);
                        if (key is not null && Regex.IsMatch(key, "^[A-Z_][A-Z0-9_]*$"))
                            names.Add(key);
                    }
                    Collect(property.Value, property.Name, names);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                    Collect(item, key, names);
            }
        }
    }

    [GeneratedRegex("SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|ACCOUNT_?KEY|CONNECTION_?STRING|SERVICE_ROLE", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex UrlWithPassword();
}
