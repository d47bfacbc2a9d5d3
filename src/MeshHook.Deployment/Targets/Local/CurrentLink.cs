using System.Runtime.InteropServices;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// The <c>current</c> symlink, switched atomically: a new link is made under a temporary name and renamed over the old
/// one with rename(2), so <c>current</c> is never missing or half-made (Capistrano's publish).
/// </summary>
public static partial class CurrentLink
{
    public static void Point(LocalLayout layout, string release)
    {
        if (!Directory.Exists(layout.ReleaseDirectory(release)))
            throw new Tooling.UserFacingException($"Cannot point current at {release}: {layout.ReleaseDirectory(release)} does not exist.");
        var temporary = layout.Current + ".next";
        if (new FileInfo(temporary).LinkTarget is not null || File.Exists(temporary))
            File.Delete(temporary);
        File.CreateSymbolicLink(temporary, Path.Combine("releases", release));
        // File.Move follows the link (its target is a directory, so it reports "not found"): rename the link itself.
        if (Rename(temporary, layout.Current) != 0)
            throw new IOException($"Cannot rename {temporary} to {layout.Current}: error {Marshal.GetLastPInvokeError()}.");
    }

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Rename(string from, string to);
}
