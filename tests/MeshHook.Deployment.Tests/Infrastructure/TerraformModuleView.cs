using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// One Terraform module (the root or a folder under modules/) seen through its parsed .tf files: declared variables,
/// outputs, locals, module calls, resources, and the var./local./module. references its expressions make.
/// </summary>
internal sealed partial class TerraformModuleView
{
    TerraformModuleView(string directory, IReadOnlyDictionary<string, JsonObject> files)
    {
        Directory = directory;
        Files = files;
    }

    /// <summary>Relative to infra/, with a trailing slash ("" for the root module).</summary>
    public string Directory { get; }

    /// <summary>The module's .tf files (not those of its sub-folders), path relative to infra/ => parsed file.</summary>
    public IReadOnlyDictionary<string, JsonObject> Files { get; }

    public static IReadOnlyList<TerraformModuleView> All(IReadOnlyDictionary<string, JsonObject> documents) =>
        documents.Keys.Where(x => x.EndsWith(".tf", StringComparison.Ordinal))
            .Select(x => x.Contains('/') ? x[..(x.LastIndexOf('/') + 1)] : "")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(x => Of(documents, x))
            .ToList();

    public static TerraformModuleView Of(IReadOnlyDictionary<string, JsonObject> documents, string directory)
    {
        var files = documents
            .Where(x => x.Key.EndsWith(".tf", StringComparison.Ordinal) && x.Key.StartsWith(directory, StringComparison.Ordinal) &&
                        !x.Key[directory.Length..].Contains('/'))
            .ToDictionary(x => x.Key, x => x.Value);
        return new TerraformModuleView(directory, files);
    }

    public string Name => Directory.Length == 0 ? "the root module" : Directory.TrimEnd('/');

    /// <summary>Variable name => its block.</summary>
    public IReadOnlyDictionary<string, JsonObject> Variables => Blocks("variable");

    public IEnumerable<string> RequiredVariables => Variables.Where(x => !x.Value.ContainsKey("default")).Select(x => x.Key);

    public IReadOnlyDictionary<string, JsonObject> Outputs => Blocks("output");

    public IReadOnlyDictionary<string, JsonObject> ModuleCalls => Blocks("module");

    public IReadOnlySet<string> Locals =>
        Files.Values.Where(x => x["locals"] is JsonArray).SelectMany(x => x["locals"]!.AsArray())
            .SelectMany(x => x!.AsObject().Select(y => y.Key)).ToHashSet();

    /// <summary>Resources of a type: name => block.</summary>
    public IReadOnlyDictionary<string, JsonObject> Resources(string type) =>
        Files.Values.Where(x => x["resource"]?[type] is JsonObject)
            .SelectMany(x => x["resource"]![type]!.AsObject())
            .ToDictionary(x => x.Key, x => x.Value!.AsArray()[0]!.AsObject());

    public IEnumerable<string> ResourceTypes =>
        Files.Values.Where(x => x["resource"] is JsonObject).SelectMany(x => x["resource"]!.AsObject().Select(y => y.Key));

    /// <summary>Every var.NAME used in an expression of the module.</summary>
    public IReadOnlySet<string> VariableReferences => References(VariablePattern());

    public IReadOnlySet<string> LocalReferences => References(LocalPattern());

    /// <summary>Every module.CALL.OUTPUT used in an expression, as (CALL, OUTPUT).</summary>
    public IReadOnlySet<(string Call, string Output)> ModuleOutputReferences =>
        Expressions().SelectMany(x => ModuleOutputPattern().Matches(x)).Select(x => (x.Groups[1].Value, x.Groups[2].Value)).ToHashSet();

    /// <summary>The folder (relative to infra/, with a trailing slash) a module call's source points to.</summary>
    public string SourceDirectory(JsonObject call)
    {
        var source = call["source"]!.GetValue<string>();
        Assert.True(source.StartsWith("./", StringComparison.Ordinal) || source.StartsWith("../", StringComparison.Ordinal), $"not a local module: {source}");
        var combined = Path.GetFullPath(Path.Combine("/infra", Directory, source));
        return Path.GetRelativePath("/infra", combined).Replace('\\', '/') + "/";
    }

    IReadOnlyDictionary<string, JsonObject> Blocks(string kind) =>
        Files.Values.Where(x => x[kind] is JsonObject).SelectMany(x => x[kind]!.AsObject())
            .ToDictionary(x => x.Key, x => x.Value!.AsArray()[0]!.AsObject());

    IReadOnlySet<string> References(Regex pattern) =>
        Expressions().SelectMany(x => pattern.Matches(x)).Select(x => x.Groups[1].Value).ToHashSet();

    /// <summary>The module's strings that hold an expression (plain strings, such as descriptions, are left out).</summary>
    IEnumerable<string> Expressions() => Files.Values.SelectMany(Strings).Where(x => x.Contains("${", StringComparison.Ordinal));

    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(x => Strings(x.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    [GeneratedRegex(@"(?<![\w.])var\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"(?<![\w.])local\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex LocalPattern();

    [GeneratedRegex(@"(?<![\w.])module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])?\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex ModuleOutputPattern();
}
