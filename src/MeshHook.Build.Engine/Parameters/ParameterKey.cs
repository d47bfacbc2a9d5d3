using System.Security.Cryptography;

namespace MeshHook.Build.Engine.Parameters;

/// <summary>
/// Where the password for secret parameters comes from: the environment variable <see cref="EnvironmentVariable"/>, else
/// the key file named by <see cref="FileVariable"/>, else <c>~/.config/meshhook/parameters.key</c>. A key file inside the
/// repository is refused (it would end up committed next to the values it protects).
/// </summary>
public sealed class ParameterKey(IReadOnlyDictionary<string, string> environment, AbsolutePath rootDirectory)
{
    public const string EnvironmentVariable = "MESHHOOK_PARAMETERS_KEY";
    public const string FileVariable = "MESHHOOK_PARAMETERS_KEY_FILE";

    public string KeyFile =>
        environment.GetValueOrDefault(FileVariable) is { Length: > 0 } file
            ? Path.GetFullPath(file)
            : Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".config", "meshhook", "parameters.key");

    public string Source => environment.ContainsKey(EnvironmentVariable) ? $"the environment variable {EnvironmentVariable}" : $"the key file {KeyFile}";

    public string? TryRead()
    {
        if (environment.GetValueOrDefault(EnvironmentVariable) is { Length: > 0 } key)
            return key;
        var file = KeyFile;
        ThrowIfInsideRepository(file);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    public string Read() =>
        TryRead() ?? throw new BuildConfigurationException(
            $"No key for secret parameters: set {EnvironmentVariable}, or create the key file {KeyFile} " +
            $"(./build.sh --set-secret NAME creates one), or point {FileVariable} at it.");

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
        if (AbsolutePath.Create(rootDirectory).Contains(AbsolutePath.Create(file)))
            throw new BuildConfigurationException(
                $"The key file {file} is inside the repository; keep it outside (it protects the values committed here). Move it and set {FileVariable}.");
    }
}
