using System.Formats.Tar;
using System.IO.Compression;

namespace MeshHook.Deployment.Releases;

/// <summary>
/// Unpacks a release archive so that nothing it holds can touch anything outside the destination:
/// <list type="bullet">
/// <item>it unpacks into a private (0700) folder beside the destination, renamed into place only when every entry passed;
/// a refused archive leaves nothing behind and the previous destination untouched;</item>
/// <item>names are plain relative paths: absolute paths, '..', empty names, duplicates, hard links, devices and fifos
/// are refused naming the entry;</item>
/// <item>regular files and folders are written first, every path component checked on disk to be a real folder (never a
/// link), files created exclusively (never opened through an existing name);</item>
/// <item>symbolic links come last, each target resolved against the finished tree and the other links of the archive
/// (links to links, chains of '..'), and refused when any step of it leaves the destination;</item>
/// <item>sizes are capped per entry and per archive (<see cref="ExtractionLimits"/>); setuid, setgid, sticky and
/// group/other write bits are dropped.</item>
/// </list>
/// Hard links are refused rather than resolved: our own archives never contain them.
/// </summary>
public static class ReleaseExtractor
{
    const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    const UnixFileMode Folder = PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>The file bits an extracted file may keep: rwxr-xr-x at most (no setuid/setgid/sticky, nobody else writes).</summary>
    const UnixFileMode AllowedFileBits = Folder;

    public static void Extract(string archive, string destination, ExtractionLimits? limits = null)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Releases are extracted on Linux and macOS only (they rely on Unix file modes and links).");
        limits ??= ExtractionLimits.Default;
        destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        var parent = Path.GetDirectoryName(destination) ?? throw new ReleaseException($"Cannot extract into {destination}: it has no parent folder.");
        if (new FileInfo(destination).LinkTarget is not null)
            throw new ReleaseException($"Cannot extract {Path.GetFileName(archive)} into {destination}: it is a symbolic link. Remove it and deploy again.");

        Directory.CreateDirectory(parent);
        var name = Path.GetFileName(destination);
        // Leftovers of an extraction that was killed (deploys of one environment hold its lock, so none is running now).
        foreach (var leftover in Directory.EnumerateDirectories(parent, $".{name}.*").Where(x => x.EndsWith(".partial", StringComparison.Ordinal) || x.EndsWith(".old", StringComparison.Ordinal)))
            DeleteQuietly(leftover);
        var staging = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.partial");
        // Private while it is filled: no other local user can slip a link into a folder we are about to write through.
        Directory.CreateDirectory(staging, PrivateFolder);
        try
        {
            new Extraction(Path.GetFileName(archive), staging, limits).Run(archive);
            File.SetUnixFileMode(staging, Folder);
            Replace(staging, destination, Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old"));
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }
    }

    /// <summary>The new folder takes the destination's place; the old one is moved aside first and put back if that fails.</summary>
    static void Replace(string staging, string destination, string aside)
    {
        var hadPrevious = Directory.Exists(destination);
        if (hadPrevious)
            Directory.Move(destination, aside);
        try
        {
            Directory.Move(staging, destination);
        }
        catch
        {
            if (hadPrevious)
                Directory.Move(aside, destination);
            throw;
        }
        if (hadPrevious)
            Directory.Delete(aside, recursive: true); // removes links, never follows them
    }

    static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    sealed class Extraction(string archiveName, string root, ExtractionLimits limits)
    {
        /// <summary>Tar headers and padding allowed on top of the file contents before the stream itself counts as a bomb.</summary>
        const long HeaderAllowance = 256L << 20;

        /// <summary>As Linux: a chain of more links than this does not resolve.</summary>
        const int MaxLinkHops = 40;

        readonly HashSet<string> _names = new(StringComparer.Ordinal);
        readonly List<(string Name, string[] Segments, string Target)> _links = [];
        readonly HashSet<string> _linkNames = new(StringComparer.Ordinal);
        long _total;
        int _count;

        public void Run(string archive)
        {
            using (var file = File.OpenRead(archive))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            using (var bounded = new BoundedReadStream(gzip, limits.MaxArchiveBytes + HeaderAllowance, () => Refuse(
                       $"Refused {archiveName}: it unpacks to more than {ExtractionLimits.Describe(limits.MaxArchiveBytes)} (the cap per archive, " +
                       "ExtractionLimits.MaxArchiveBytes). Nothing was extracted.")))
            using (var reader = new TarReader(bounded))
            {
                while (reader.GetNextEntry(copyData: false) is { } entry)
                    Add(entry);
            }
            CreateLinks();
        }

        void Add(TarEntry entry)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                return; // metadata for the entries that follow, nothing to write
            if (++_count > limits.MaxEntries)
                throw Unsafe(entry.Name, $"entry number {_count}, over the cap of {limits.MaxEntries} entries per archive (ExtractionLimits.MaxEntries)");

            var segments = Segments(entry.Name);
            if (segments.Length == 0)
            {
                if (entry.EntryType == TarEntryType.Directory)
                    return; // "./": the destination itself
                throw Unsafe(entry.Name, "an entry without a name");
            }
            var name = string.Join('/', segments);
            if (!_names.Add(name))
                throw Unsafe(entry.Name, "a second entry with the same name (an archive may hold each path once)");

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Folders(entry.Name, segments);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    WriteFile(entry, segments);
                    break;
                case TarEntryType.SymbolicLink:
                    var target = entry.LinkName;
                    if (string.IsNullOrEmpty(target) || target.Contains('\0'))
                        throw Unsafe(entry.Name, "a link without a target");
                    if (target.StartsWith('/') || Path.IsPathRooted(target))
                        throw Unsafe(entry.Name, $"a link to the absolute path {target}");
                    _links.Add((entry.Name, segments, target));
                    _linkNames.Add(name);
                    break;
                case TarEntryType.HardLink:
                    throw Unsafe(entry.Name, $"a hard link to '{entry.LinkName}' (releases hold files, folders and relative symbolic links only)");
                default:
                    throw Unsafe(entry.Name, $"a {entry.EntryType} entry (only files, folders and relative links are allowed)");
            }
        }

        void WriteFile(TarEntry entry, string[] segments)
        {
            if (entry.Length > limits.MaxEntryBytes)
                throw Unsafe(entry.Name, $"{entry.Length} bytes, over the cap of {ExtractionLimits.Describe(limits.MaxEntryBytes)} per entry (ExtractionLimits.MaxEntryBytes)");
            _total += entry.Length;
            if (_total > limits.MaxArchiveBytes)
                throw Unsafe(entry.Name, $"past the cap of {ExtractionLimits.Describe(limits.MaxArchiveBytes)} per archive (ExtractionLimits.MaxArchiveBytes): the files up to it add up to {_total} bytes");

            var path = Path.Combine(Folders(entry.Name, segments[..^1]), segments[^1]);
            if (Directory.Exists(path))
                throw Unsafe(entry.Name, "a file at a path the archive already uses for a folder");
            // CreateNew is O_EXCL: it never opens an existing name, and never follows a link standing at that name.
            using (var output = new FileStream(path, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew,
                       Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            {
                if (entry.DataStream is { } data)
                    Copy(entry.Name, data, output, entry.Length);
            }
            File.SetUnixFileMode(path, (entry.Mode & AllowedFileBits) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        void Copy(string entryName, Stream source, Stream output, long declared)
        {
            var buffer = new byte[81920];
            long written = 0;
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                written += read;
                if (written > declared || written > limits.MaxEntryBytes)
                    throw Unsafe(entryName, $"more data than its header declares ({declared} bytes)");
                output.Write(buffer, 0, read);
            }
        }

        /// <summary>
        /// Makes (or walks) the folders of <paramref name="segments"/> under the root, checking each on disk: an existing
        /// component must be a real folder, never a link or a file. Returns the last folder's path.
        /// </summary>
        string Folders(string entryName, string[] segments)
        {
            var current = root;
            for (var i = 0; i < segments.Length; i++)
            {
                current = Path.Combine(current, segments[i]);
                var prefix = string.Join('/', segments[..(i + 1)]);
                if (_linkNames.Contains(prefix))
                    throw Unsafe(entryName, $"under '{prefix}', a symbolic link of the archive: nothing is written through a link");
                var info = new FileInfo(current);
                if (info.LinkTarget is not null)
                    throw Unsafe(entryName, $"under '{string.Join('/', segments[..(i + 1)])}', a symbolic link: nothing is written through a link");
                if (Directory.Exists(current))
                    continue;
                if (info.Exists)
                    throw Unsafe(entryName, $"under '{string.Join('/', segments[..(i + 1)])}', which the archive made a file");
                Directory.CreateDirectory(current, Folder);
            }
            return current;
        }

        /// <summary>
        /// Links come after every file and folder, so no entry is ever written through one. Each is checked against the
        /// finished tree plus every link of the archive (as the kernel will resolve it once all exist) before any is made.
        /// </summary>
        void CreateLinks()
        {
            var links = _links.ToDictionary(x => string.Join('/', x.Segments), x => x.Target, StringComparer.Ordinal);
            foreach (var (name, segments, target) in _links)
            {
                for (var i = 1; i < segments.Length; i++)
                {
                    var prefix = string.Join('/', segments[..i]);
                    if (links.ContainsKey(prefix))
                        throw Unsafe(name, $"under '{prefix}', a symbolic link: nothing is written through a link");
                }
                var path = Path.Combine(root, Path.Combine(segments));
                if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
                    throw Unsafe(name, "a link at a path the archive already uses for a folder");
                Resolve(name, segments, target, links);
            }
            foreach (var (name, segments, target) in _links)
            {
                var folder = Folders(name, segments[..^1]); // checked on disk again: real folders only
                File.CreateSymbolicLink(Path.Combine(folder, segments[^1]), target);
            }
        }

        /// <summary>Follows a link the way the kernel will, one component at a time; every step must stay below the root.</summary>
        void Resolve(string name, string[] segments, string target, IReadOnlyDictionary<string, string> links)
        {
            var location = new List<string>(segments[..^1]);
            var remaining = new Stack<string>(target.Split('/').Reverse());
            var hops = 0;
            while (remaining.TryPop(out var segment))
            {
                if (segment is "" or ".")
                    continue;
                if (segment == "..")
                {
                    if (location.Count == 0)
                        throw Unsafe(name, $"a link to {target}, which leads outside the release");
                    location.RemoveAt(location.Count - 1);
                    continue;
                }
                location.Add(segment);
                var key = string.Join('/', location);
                if (links.TryGetValue(key, out var next))
                {
                    if (++hops > MaxLinkHops)
                        throw Unsafe(name, $"a link to {target}, a chain of more than {MaxLinkHops} links");
                    if (next.StartsWith('/'))
                        throw Unsafe(name, $"a link to {target}, which leads outside the release");
                    location.RemoveAt(location.Count - 1);
                    foreach (var part in next.Split('/').Reverse())
                        remaining.Push(part);
                }
                else if (new FileInfo(Path.Combine(root, Path.Combine([.. location]))).LinkTarget is not null)
                {
                    throw Unsafe(name, $"a link through '{key}', a link that is not part of the archive");
                }
            }
        }

        /// <summary>The name's path segments; absolute names, '..', drive letters and control characters are refused.</summary>
        string[] Segments(string raw)
        {
            if (raw.Contains('\0') || raw.Contains('\\') || raw.Contains(':'))
                throw Unsafe(raw, "a name with '\\', ':' or a NUL character");
            if (raw.StartsWith('/'))
                throw Unsafe(raw, "an absolute path");
            var segments = raw.Split('/').Where(x => x is not ("" or ".")).ToArray();
            if (segments.Contains(".."))
                throw Unsafe(raw, "a path with '..'");
            return segments;
        }

        ReleaseException Unsafe(string entry, string what) =>
            new($"Refused {archiveName}: entry '{entry}' is {what}. Nothing was extracted. Rebuild the release with ./build.sh Package.");

        static Exception Refuse(string message) => new ReleaseException(message);
    }

    /// <summary>Reads at most <c>limit</c> bytes from the decompressed stream; past that the archive is a bomb.</summary>
    sealed class BoundedReadStream(Stream inner, long limit, Func<Exception> overLimit) : Stream
    {
        long _read;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        int Count(int read)
        {
            _read += read;
            if (_read > limit)
                throw overLimit();
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
