using System.Formats.Tar;
using System.IO.Compression;

namespace MeshHook.Deployment.Releases;

/// <summary>
/// Writes a .tar.gz that depends only on the files' relative paths, contents and executable bits: entries sorted
/// ordinally, one fixed timestamp, owner 0:0 without names, modes normalized to 0644/0755, symbolic links kept as links
/// (relative targets only). The same inputs give byte-identical archives.
/// </summary>
public static class DeterministicArchive
{
    /// <summary>2000-01-01T00:00:00Z: fixed, and after 1980 so every tool accepts it.</summary>
    public static readonly DateTimeOffset Timestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    const UnixFileMode Executable = Regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static void Create(string sourceDirectory, string archivePath)
    {
        var temporary = archivePath + ".tmp";
        using (var file = File.Create(temporary))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: false))
        {
            foreach (var path in Enumerate(sourceDirectory))
                tar.WriteEntry(Entry(sourceDirectory, path));
        }
        File.Move(temporary, archivePath, overwrite: true);
    }

    static IEnumerable<string> Enumerate(string root)
    {
        var entries = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
            {
                entries.Add(entry);
                var info = new FileInfo(entry);
                if (info.Attributes.HasFlag(FileAttributes.Directory) && info.LinkTarget is null)
                    pending.Push(entry);
            }
        }
        return entries.OrderBy(x => Relative(root, x), StringComparer.Ordinal);
    }

    static GnuTarEntry Entry(string root, string path)
    {
        var name = Relative(root, path);
        var info = new FileInfo(path);
        GnuTarEntry entry;
        if (info.LinkTarget is { } target)
        {
            if (Path.IsPathRooted(target))
                throw new ReleaseException($"{path} is a link to the absolute path {target}; releases keep relative links only.");
            entry = new GnuTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = Executable };
        }
        else if (info.Attributes.HasFlag(FileAttributes.Directory))
        {
            entry = new GnuTarEntry(TarEntryType.Directory, name + "/") { Mode = Executable };
        }
        else
        {
            var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;
            entry = new GnuTarEntry(TarEntryType.RegularFile, name)
            {
                Mode = executable ? Executable : Regular,
                DataStream = new MemoryStream(File.ReadAllBytes(path)),
            };
        }
        entry.ModificationTime = Timestamp;
        entry.AccessTime = Timestamp;
        entry.ChangeTime = Timestamp;
        entry.Uid = 0;
        entry.Gid = 0;
        entry.UserName = string.Empty;
        entry.GroupName = string.Empty;
        return entry;
    }

    static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
