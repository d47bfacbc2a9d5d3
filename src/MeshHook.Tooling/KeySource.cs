using System.Security.Cryptography;

namespace MeshHook.Tooling;

/// <summary>
/// Where a password for encrypted secrets comes from: an environment variable, else a key file named by a second
/// environment variable, else <c>~/.config/meshhook/&lt;default file&gt;</c>. A key file inside the repository is refused (it
/// would end up committed next to the values it protects).
/// </summary>
public sealed class KeySource(string environmentVariable, string fileVariable, string defaultFileName,
    IReadOnlyDictionary<string, string> environment, string repositoryRoot)
{
    public string EnvironmentVariable => environmentVariable;
    public string FileVariable => fileVariable;

    public string KeyFile =>
        environment.GetValueOrDefault(fileVariable) is { Length: > 0 } file
            ? Path.GetFullPath(file)
            : Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".config", "meshhook", defaultFileName);

    public string Source => environment.ContainsKey(environmentVariable) ? $"the environment variable {environmentVariable}" : $"the key file {KeyFile}";

    public string? TryRead()
    {
        if (environment.GetValueOrDefault(environmentVariable) is { Length: > 0 } key)
            return key;
        var file = KeyFile;
        ThrowIfInsideRepository(file);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    public string Read(string howToCreate) =>
        TryRead() ?? throw new UserFacingException(
            $"No key: set {environmentVariable}, or create the key file {KeyFile} ({howToCreate}), or point {fileVariable} at it.");

    /// <summary>Reads the key, or creates a new random key file (mode 0600) when there is none.</summary>
    public (string Key, bool Created) ReadOrCreate()
    {
        if (TryRead() is { } existing)
            return (existing, false);
        var file = KeyFile;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(new FileStream(file, options)))
            writer.Write(key);
        return (key, true);
    }

    void ThrowIfInsideRepository(string file)
    {
        var root = Path.GetFullPath(repositoryRoot).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (Path.GetFullPath(file).StartsWith(root, StringComparison.Ordinal))
            throw new UserFacingException(
                $"The key file {file} is inside the repository; keep it outside (it protects the values committed here). Move it and set {fileVariable}.");
    }
}
