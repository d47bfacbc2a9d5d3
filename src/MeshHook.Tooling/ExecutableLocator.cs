namespace MeshHook.Tooling;

/// <summary>Finds an executable the way a shell would: a path is taken as is, a bare name is searched on PATH.</summary>
public static class ExecutableLocator
{
    public static string? Find(string executable, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (executable.Contains(Path.DirectorySeparatorChar) || executable.Contains(Path.AltDirectorySeparatorChar))
            return File.Exists(executable) ? Path.GetFullPath(executable) : null;

        string? path = null;
        if (environment is not null && environment.TryGetValue("PATH", out var overridden))
            path = overridden;
        path ??= Environment.GetEnvironmentVariable("PATH") ?? string.Empty;

        var extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';').Prepend(string.Empty)
            : [string.Empty];
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, executable + extension);
                if (File.Exists(candidate) && IsExecutable(candidate))
                    return candidate;
            }
        }
        return null;
    }

    static bool IsExecutable(string file) =>
        OperatingSystem.IsWindows() ||
        (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
