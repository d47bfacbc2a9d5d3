namespace MeshHook.Build.Engine.Tools;

public static class Workspace
{
    /// <summary>Deletes the artifacts folder and bin/obj below src/ and tests/ (never build/bin: the build runs from there).</summary>
    public static void Clean(AbsolutePath root, AbsolutePath artifacts)
    {
        artifacts.DeleteDirectory();
        foreach (var folder in new[] { root / "src", root / "tests" }.Where(x => x.DirectoryExists()))
        {
            foreach (var directory in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories)
                         .Where(x => Path.GetFileName(x) is "bin" or "obj" && !x.Contains("node_modules"))
                         .ToList())
            {
                if (Directory.Exists(directory))
                {
                    Log.Information($"Deleting {Path.GetRelativePath(root, directory)}");
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
    }
}
