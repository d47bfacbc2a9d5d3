using MeshHook.Build.Engine.Configuration.GitHubActions;
using MeshHook.Build.Engine.Configuration.Ide;
using MeshHook.Build.Engine.Parameters;
using MeshHook.Build.Engine.Planning;

namespace MeshHook.Build.Engine.Configuration;

/// <summary>
/// Every file generated from the build class (workflows, VS Code tasks, Rider run configurations), and the comparison with
/// what is on disk: <c>--generate-configuration</c> writes them, <c>--check-configuration</c> and a test fail when they
/// differ, a local build warns.
/// </summary>
public sealed class ConfigurationGenerator
{
    ConfigurationGenerator(IReadOnlyList<GeneratedFile> files, IReadOnlyList<string> notes)
    {
        Files = files;
        Notes = notes;
    }

    public IReadOnlyList<GeneratedFile> Files { get; }

    /// <summary>Targets left out because the build class does not have them (yet).</summary>
    public IReadOnlyList<string> Notes { get; }

    public static ConfigurationGenerator Create(Type buildType, TargetGraph graph, IReadOnlyList<ParameterDescriptor> parameters, RepositoryFacts repository)
    {
        var workflows = new WorkflowGenerator(graph, parameters, repository);
        var files = workflows.Generate(buildType)
            .Append(VsCodeTasks.Generate(graph.Targets))
            .Concat(RiderRunConfigurations.Generate(graph.Targets))
            .ToList();
        return new ConfigurationGenerator(files, workflows.Notes.Distinct().ToList());
    }

    /// <summary>Generated files whose content on disk differs (or that are missing), and generated files no longer generated.</summary>
    public IReadOnlyList<string> Stale(AbsolutePath root) =>
        Files.Where(x => !File.Exists(Path.Combine(root, x.RelativePath)) || Normalize(File.ReadAllText(Path.Combine(root, x.RelativePath))) != x.Content)
            .Select(x => x.RelativePath)
            .Concat(Leftovers(root))
            .ToList();

    /// <summary>Writes every file that changed and deletes generated files no longer generated (a removed target's runner).</summary>
    public IReadOnlyList<string> Write(AbsolutePath root)
    {
        var changed = new List<string>();
        foreach (var file in Files)
        {
            if (BuildSchema.Update(Path.Combine(root, file.RelativePath), file.Content))
                changed.Add(file.RelativePath);
        }
        foreach (var leftover in Leftovers(root))
        {
            File.Delete(Path.Combine(root, leftover));
            changed.Add(leftover + " (deleted)");
        }
        return changed;
    }

    /// <summary>Files in the generated folders that carry the generated marker but are no longer generated.</summary>
    IEnumerable<string> Leftovers(AbsolutePath root)
    {
        var generated = Files.Select(x => x.RelativePath).ToHashSet();
        var candidates = Enumerate(root, ".github/workflows", "*.yml", WorkflowGenerator.Header)
            .Concat(Enumerate(root, RiderRunConfigurations.Folder, "*.run.xml", RiderRunConfigurations.Marker));
        return candidates.Where(x => !generated.Contains(x)).Order(StringComparer.Ordinal);
    }

    static IEnumerable<string> Enumerate(AbsolutePath root, string folder, string pattern, string marker)
    {
        var directory = Path.Combine(root, folder);
        if (!Directory.Exists(directory))
            return [];
        return Directory.GetFiles(directory, pattern)
            .Where(x => File.ReadAllText(x).StartsWith(marker, StringComparison.Ordinal))
            .Select(x => folder + "/" + Path.GetFileName(x));
    }

    // A checkout with CRLF line endings (core.autocrlf) is not stale.
    static string Normalize(string text) => text.Replace("\r\n", "\n");
}
