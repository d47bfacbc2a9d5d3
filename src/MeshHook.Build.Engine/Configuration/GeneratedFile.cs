namespace MeshHook.Build.Engine.Configuration;

/// <summary>A file the build generates from its class (a workflow, an IDE runner): path relative to the root, content.</summary>
public sealed record GeneratedFile(string RelativePath, string Content);

/// <summary>What generation needs besides the build class: the repository's files that setup steps are derived from.</summary>
public sealed record RepositoryFacts(bool HasGlobalJson, IReadOnlyList<string> NpmLockFiles, string? NodeVersionFile)
{
    public static RepositoryFacts Read(AbsolutePath root)
    {
        var locks = Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "package-lock.json", SearchOption.AllDirectories)
                .Select(x => Path.GetRelativePath(root, x).Replace('\\', '/'))
                .Where(x => !x.Split('/').Any(part => part is "node_modules" or "bin" or "obj" or "artifacts" || part.StartsWith('.')))
                .Order(StringComparer.Ordinal).ToList()
            : [];
        var nodeVersionFile = new[] { ".nvmrc", ".node-version" }.FirstOrDefault(x => File.Exists(Path.Combine(root, x)));
        return new RepositoryFacts(File.Exists(Path.Combine(root, "global.json")), locks, nodeVersionFile);
    }
}
