namespace MeshHook.Build.Engine.Configuration;

/// <summary>A file the build generates from its class (a workflow, an IDE runner): path relative to the root, content.</summary>
public sealed record GeneratedFile(string RelativePath, string Content);

/// <summary>What generation needs besides the build class: the repository's files that setup steps are derived from.</summary>
public sealed record RepositoryFacts(bool HasGlobalJson, IReadOnlyList<string> NpmLockFiles, string? NodeVersionFile)
{
    public static RepositoryFacts Read(AbsolutePath root)
    {
        var locks = LockFiles(root, root).Order(StringComparer.Ordinal).ToList();
        var nodeVersionFile = new[] { ".nvmrc", ".node-version" }.FirstOrDefault(x => File.Exists(Path.Combine(root, x)));
        return new RepositoryFacts(File.Exists(Path.Combine(root, "global.json")), locks, nodeVersionFile);
    }

    // Build output, installed packages and dot-folders (.git, .nuke, .deploy) are pruned, not walked: a local build runs this.
    static IEnumerable<string> LockFiles(string root, string directory)
    {
        if (!Directory.Exists(directory))
            yield break;
        var file = Path.Combine(directory, "package-lock.json");
        if (File.Exists(file))
            yield return Path.GetRelativePath(root, file).Replace('\\', '/');
        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            var name = Path.GetFileName(child);
            if (name is "node_modules" or "bin" or "obj" or "artifacts" || name.StartsWith('.'))
                continue;
            foreach (var found in LockFiles(root, child))
                yield return found;
        }
    }
}
