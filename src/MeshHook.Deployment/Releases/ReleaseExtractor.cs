using System.Formats.Tar;
using System.IO.Compression;

namespace MeshHook.Deployment.Releases;

/// <summary>
/// Unpacks a release archive, refusing it whole before anything is written when an entry is absolute, climbs out with
/// "..", is a link whose target leaves the destination, or is a device or other special file.
/// </summary>
public static class ReleaseExtractor
{
    public static void Extract(string archive, string destination)
    {
        var entries = Read(archive);
        foreach (var entry in entries)
            Check(archive, entry);

        var staging = destination + ".partial";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        foreach (var entry in entries)
        {
            var path = Path.Combine(staging, entry.Name);
            switch (entry.Type)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    break;
                case TarEntryType.SymbolicLink:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.CreateSymbolicLink(path, entry.LinkName!);
                    break;
                default:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, entry.Content!);
                    if (!OperatingSystem.IsWindows())
                        File.SetUnixFileMode(path, entry.Mode);
                    break;
            }
        }
        if (Directory.Exists(destination))
            Directory.Delete(destination, recursive: true);
        Directory.Move(staging, destination);
    }

    sealed record Entry(string Name, TarEntryType Type, string? LinkName, UnixFileMode Mode, byte[]? Content);

    static List<Entry> Read(string archive)
    {
        var entries = new List<Entry>();
        using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            byte[]? content = null;
            if (entry.DataStream is not null)
            {
                using var memory = new MemoryStream();
                entry.DataStream.CopyTo(memory);
                content = memory.ToArray();
            }
            entries.Add(new Entry(entry.Name, entry.EntryType, entry.LinkName, entry.Mode, content));
        }
        return entries;
    }

    static void Check(string archive, Entry entry)
    {
        var name = entry.Name.Replace('\\', '/');
        if (name.StartsWith('/') || Path.IsPathRooted(name) || name.Contains(':'))
            throw Unsafe(archive, entry, "an absolute path");
        if (name.Split('/').Contains(".."))
            throw Unsafe(archive, entry, "a path with '..'");
        switch (entry.Type)
        {
            case TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                break;
            case TarEntryType.SymbolicLink:
                var target = entry.LinkName ?? "";
                if (target.StartsWith('/') || Path.IsPathRooted(target))
                    throw Unsafe(archive, entry, $"a link to the absolute path {target}");
                var resolved = Path.GetFullPath(Path.Combine("/release", Path.GetDirectoryName(name) ?? "", target));
                if (!resolved.StartsWith("/release/", StringComparison.Ordinal))
                    throw Unsafe(archive, entry, $"a link to {target}, outside the release");
                break;
            default:
                throw Unsafe(archive, entry, $"a {entry.Type} entry (only files, folders and relative links are allowed)");
        }
    }

    static ReleaseException Unsafe(string archive, Entry entry, string what) =>
        new($"Refused {Path.GetFileName(archive)}: entry '{entry.Name}' is {what}. Nothing was extracted. Rebuild the release with ./build.sh Package.");
}
