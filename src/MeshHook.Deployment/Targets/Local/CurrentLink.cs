namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// The <c>current</c> symlink, switched atomically: a new link is made under a temporary name and renamed over the old
/// one, so <c>current</c> is never missing or half-made (Capistrano's publish).
/// </summary>
public static class CurrentLink
{
    public static void Point(LocalLayout layout, string release)
    {
        if (!Directory.Exists(layout.ReleaseDirectory(release)))
            throw new Tooling.UserFacingException($"Cannot point current at {release}: {layout.ReleaseDirectory(release)} does not exist.");
        var temporary = layout.Current + ".next";
        if (File.Exists(temporary) || new FileInfo(temporary).LinkTarget is not null)
            File.Delete(temporary);
        File.CreateSymbolicLink(temporary, Path.Combine("releases", release));
        // rename(2) replaces the old link in one step.
        File.Move(temporary, layout.Current, overwrite: true);
    }
}
