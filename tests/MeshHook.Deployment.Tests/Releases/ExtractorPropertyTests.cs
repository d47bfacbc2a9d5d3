using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MeshHook.Deployment.Releases;

namespace MeshHook.Deployment.Tests.Releases;

/// <summary>
/// Thousands of random archives built from the pieces of every known attack (links relative and absolute, links to links,
/// '..', duplicates, hard links, files below links, special files) unpacked into a sandbox full of sentinel files. Whatever
/// the archive, nothing outside the destination may change, and an accepted archive's files and links all end below it.
/// Seeded: set MESHHOOK_EXTRACTOR_SEED to replay a failure (the seed is in every failure message).
/// </summary>
public sealed class ExtractorPropertyTests : IDisposable
{
    const int Archives = 2000;

    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    static readonly string[] Segments = ["a", "b", "l", "m", "..", ".", "node_modules"];

    [Fact]
    public void No_random_archive_changes_anything_outside_its_destination()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MESHHOOK_EXTRACTOR_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed} (replay with MESHHOOK_EXTRACTOR_SEED={seed})");
        var random = new Random(seed);

        // sandbox/outside/... are sentinels an escape would reach: one level up, two levels up, and absolute paths to them.
        var sandbox = _temp.Combine("sandbox");
        var destination = Path.Combine(sandbox, "releases", "r1", "web");
        _temp.Write("sandbox/sentinel.txt", "top");
        _temp.Write("sandbox/outside/secret.txt", "secret");
        _temp.Write("sandbox/releases/sentinel.txt", "one up");
        _temp.Write("sandbox/releases/r1/sentinel.txt", "beside");
        Directory.CreateDirectory(Path.Combine(sandbox, "outside", "empty"));
        var absoluteTargets = new[] { "/", _temp.Combine("sandbox"), _temp.Combine("sandbox", "outside"), _temp.Combine("sandbox", "releases", "r1"), "/tmp" };
        var before = Snapshot(_temp.Path, destination);

        var accepted = 0;
        for (var i = 0; i < Archives; i++)
        {
            var entries = RandomEntries(random, absoluteTargets);
            var archive = _temp.Combine("archive.tar.gz");
            Write(archive, entries);
            string? failure = null;
            try
            {
                ReleaseExtractor.Extract(archive, destination, new ExtractionLimits { MaxEntryBytes = 64, MaxArchiveBytes = 256 });
                accepted++;
                failure = EscapeBelow(destination);
            }
            catch (ReleaseException)
            {
                if (Directory.Exists(destination))
                    failure = "a refused archive left its destination behind";
            }
            catch (Exception exception)
            {
                failure = $"not a clear refusal: {exception.GetType().Name}: {exception.Message}";
            }

            var after = Snapshot(_temp.Path, destination);
            failure ??= Difference(before, after);
            if (failure is not null)
                Assert.Fail($"seed {seed}, archive {i} (replay with MESHHOOK_EXTRACTOR_SEED={seed}): {failure}\n  entries:\n    " +
                            string.Join("\n    ", entries.Select(Describe)));
            if (Directory.Exists(destination))
                Directory.Delete(destination, recursive: true);
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{accepted} of {Archives} archives accepted");
        // Enough of both outcomes that the property says something either way.
        Assert.InRange(accepted, Archives / 20, Archives - Archives / 20);
    }

    static List<TarEntry> RandomEntries(Random random, string[] absoluteTargets)
    {
        var entries = new List<TarEntry>();
        var names = new List<string>();
        var count = random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            var name = names.Count > 0 && random.Next(8) == 0 ? names[random.Next(names.Count)] : RandomPath(random, allowUp: random.Next(6) == 0);
            names.Add(name);
            var roll = random.Next(100);
            entries.Add(roll switch
            {
                < 30 => new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(new string('x', random.Next(0, 40)))),
                    Mode = (UnixFileMode)random.Next(0, 4096),
                },
                < 45 => new PaxTarEntry(TarEntryType.Directory, name + "/"),
                < 80 => new PaxTarEntry(TarEntryType.SymbolicLink, name)
                {
                    LinkName = random.Next(5) == 0 ? absoluteTargets[random.Next(absoluteTargets.Length)] : RandomPath(random, allowUp: true),
                },
                < 90 => new PaxTarEntry(TarEntryType.HardLink, name)
                {
                    LinkName = names.Count > 1 && random.Next(2) == 0 ? names[random.Next(names.Count)] : "../../sentinel.txt",
                },
                < 95 => new PaxTarEntry(random.Next(2) == 0 ? TarEntryType.Fifo : TarEntryType.CharacterDevice, name),
                _ => new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(new byte[random.Next(60, 100)]) },
            });
        }
        return entries;
    }

    static string RandomPath(Random random, bool allowUp)
    {
        var depth = random.Next(1, 5);
        var parts = new List<string>();
        for (var i = 0; i < depth; i++)
        {
            var segment = Segments[random.Next(Segments.Length)];
            if (segment == ".." && !allowUp)
                segment = "a";
            parts.Add(segment);
        }
        return string.Join('/', parts);
    }

    static void Write(string path, IEnumerable<TarEntry> entries)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var entry in entries)
        {
            entry.DataStream?.Seek(0, SeekOrigin.Begin);
            writer.WriteEntry(entry);
        }
    }

    static string Describe(TarEntry entry) =>
        $"{entry.EntryType} {entry.Name}" + (entry.LinkName is { Length: > 0 } link ? $" -> {link}" : "") +
        (entry.DataStream is { } data ? $" ({data.Length} bytes)" : "");

    /// <summary>Every path below <paramref name="root"/> (the destination left out) with its type, mode, target and content hash.</summary>
    static SortedDictionary<string, string> Snapshot(string root, string excluded)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var path in Directory.EnumerateFileSystemEntries(directory))
            {
                if (path == excluded || path.EndsWith("archive.tar.gz", StringComparison.Ordinal))
                    continue;
                var info = new FileInfo(path);
                if (info.LinkTarget is { } target)
                    result[path] = "link " + target;
                else if (Directory.Exists(path))
                {
                    result[path] = "folder " + File.GetUnixFileMode(path);
                    pending.Push(path);
                }
                else
                    result[path] = $"file {File.GetUnixFileMode(path)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}";
            }
        }
        return result;
    }

    static string? Difference(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        foreach (var (path, state) in after)
        {
            if (!before.TryGetValue(path, out var old))
                return $"{path} appeared outside the destination ({state})";
            if (old != state)
                return $"{path} changed outside the destination ({old} -> {state})";
        }
        foreach (var path in before.Keys.Where(x => !after.ContainsKey(x)))
            return $"{path} disappeared outside the destination";
        return null;
    }

    /// <summary>The first file, folder or link of the extracted tree whose real location (links followed) is not below it.</summary>
    static string? EscapeBelow(string destination)
    {
        var pending = new Stack<string>([destination]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var path in Directory.EnumerateFileSystemEntries(directory))
            {
                var info = new FileInfo(path);
                if (info.LinkTarget is not null)
                {
                    var real = RealPath(path);
                    if (real is null)
                        return $"{path} is a chain of links that never ends";
                    if (real != destination && !real.StartsWith(destination + "/", StringComparison.Ordinal))
                        return $"{path} leads to {real}, outside the destination";
                }
                else if (Directory.Exists(path))
                    pending.Push(path);
                if (!OperatingSystem.IsWindows() && info.LinkTarget is null &&
                    (File.GetUnixFileMode(path) & (UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                    return $"{path} kept mode {File.GetUnixFileMode(path)}";
            }
        }
        return null;
    }

    /// <summary>Where the kernel would take a path, following every link; missing parts are taken as folders.</summary>
    static string? RealPath(string path)
    {
        var location = new List<string>();
        var remaining = new Stack<string>(path.Split('/').Reverse());
        for (var hops = 0; remaining.TryPop(out var segment);)
        {
            if (segment is "" or ".")
                continue;
            if (segment == "..")
            {
                if (location.Count > 0)
                    location.RemoveAt(location.Count - 1);
                continue;
            }
            location.Add(segment);
            var current = "/" + string.Join('/', location);
            if (new FileInfo(current).LinkTarget is { } target)
            {
                if (++hops > 40)
                    return null;
                location.RemoveAt(location.Count - 1);
                if (target.StartsWith('/'))
                    location.Clear();
                foreach (var part in target.Split('/').Reverse())
                    remaining.Push(part);
            }
        }
        return "/" + string.Join('/', location);
    }
}
