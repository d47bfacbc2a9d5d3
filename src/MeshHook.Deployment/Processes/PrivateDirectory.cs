namespace MeshHook.Deployment.Processes;

/// <summary>A folder only its owner may enter (0700): created so, and tightened when it exists with wider rights.</summary>
public static class PrivateDirectory
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Ensure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Parents are made first with the usual mode; the folder itself is born 0700 (never briefly wider).
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent)
            Directory.CreateDirectory(parent);
        Directory.CreateDirectory(path, OwnerOnly);
        if (File.GetUnixFileMode(path) != OwnerOnly)
            File.SetUnixFileMode(path, OwnerOnly);
    }
}
