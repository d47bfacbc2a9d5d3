namespace MeshHook.Build.Tests;

internal static class TestPaths
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The repository root: the nearest folder above the test assembly that holds <c>.nuke/</c>.</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>The first executable called <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name, string? path = null)
    {
        path ??= Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>The real <c>dotnet</c> host: from PATH, else the one running these tests.</summary>
    public static string RealDotnet()
    {
        var onPath = FindOnPath("dotnet");
        if (onPath is not null)
        {
            return onPath;
        }
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }
        throw new InvalidOperationException("dotnet was not found on PATH");
    }

    /// <summary>Writes a shell script and marks it executable.</summary>
    public static void WriteExecutable(string path, string content)
    {
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        MakeExecutable(path);
    }

    /// <summary>chmod 755 (these tests drive bash scripts, so they only mean something off Windows).</summary>
    public static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        }
    }

    /// <summary>Quotes a path for a POSIX shell script.</summary>
    public static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".nuke")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no folder holding .nuke/ above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "meshhook-build-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
