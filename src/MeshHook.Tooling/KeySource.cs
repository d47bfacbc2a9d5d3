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

    /// <summary>Shorter keys are refused: an empty or tiny password would make the encryption worthless.</summary>
    public const int MinimumLength = 16;

    public string Source => environment.ContainsKey(environmentVariable) ? $"the environment variable {environmentVariable}" : $"the key file {KeyFile}";

    /// <summary>The key, or null when there is none yet (no variable, no key file).</summary>
    /// <exception cref="UserFacingException">The key is empty or too short, or the key file is inside the repository.</exception>
    public string? TryRead()
    {
        if (environment.TryGetValue(environmentVariable, out var key))
        {
            if (key.Trim().Length == 0)
                throw new UserFacingException(
                    $"{environmentVariable} is set but empty. Set it to the key (at least {MinimumLength} characters), or unset it to use the " +
                    $"key file {KeyFile}.");
            if (key.Trim().Length < MinimumLength)
                throw new UserFacingException(
                    $"{environmentVariable} holds a key of {key.Trim().Length} characters; a key needs at least {MinimumLength}. Set it to the " +
                    $"original key (a new one: openssl rand -base64 32), or unset it to use the key file {KeyFile}.");
            return key;
        }
        var file = KeyFile;
        ThrowIfInsideRepository(file);
        if (!File.Exists(file))
            return null;
        var text = File.ReadAllText(file).Trim();
        if (text.Length == 0)
            throw new UserFacingException(
                $"The key file {file} is empty (left by a run that stopped while creating it?). If nothing was stored with it, delete it " +
                $"and run again to create a new key; otherwise put the original key in it, or set {environmentVariable}.");
        if (text.Length < MinimumLength)
            throw new UserFacingException(
                $"The key file {file} holds a key of {text.Length} characters; a key needs at least {MinimumLength}. Put the original key " +
                $"in it (a new one: openssl rand -base64 32 > {file}), or set {environmentVariable}.");
        return text;
    }

    public string Read(string howToCreate) =>
        TryRead() ?? throw new UserFacingException(
            $"No key: set {environmentVariable}, or create the key file {KeyFile} ({howToCreate}), or point {fileVariable} at it.");

    /// <summary>
    /// Reads the key, or creates a new random key file when there is none. The key is written to a temporary file created
    /// 0600 and renamed into place, so the key file is never seen empty or partial; creation happens under a kernel lock
    /// (<c>&lt;key file&gt;.lock</c>), so two first runs end up with the same key.
    /// </summary>
    public (string Key, bool Created) ReadOrCreate()
    {
        if (TryRead() is { } existing)
            return (existing, false);
        var file = KeyFile;
        var directory = Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var guard = FileGuard.Take(file + ".lock", $"the key file {file}");
        if (TryRead() is { } created)
            return (created, false);

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(key));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, file, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
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
