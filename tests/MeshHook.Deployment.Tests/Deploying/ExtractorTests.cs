using System.Formats.Tar;
using System.IO.Compression;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Tests.Releases;

namespace MeshHook.Deployment.Tests.Deploying;

public sealed class ExtractorTests : IDisposable
{
    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The destination sits two folders down, so an escape by one or two levels lands in folders the test owns.</summary>
    string Out => _temp.Combine("sandbox", "release", "out");

    string Sandbox => _temp.Combine("sandbox");

    public ExtractorTests() => Directory.CreateDirectory(_temp.Combine("sandbox", "release"));

    string Archive(params TarEntry[] entries)
    {
        var path = _temp.Combine(Guid.NewGuid().ToString("N") + ".tar.gz");
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var entry in entries)
            writer.WriteEntry(entry);
        return path;
    }

    static PaxTarEntry FileEntry(string name, string content = "x") =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };

    static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    static PaxTarEntry Folder(string name) => new(TarEntryType.Directory, name);

    ReleaseException Refused(string archive, ExtractionLimits? limits = null)
    {
        var before = Directory.GetFileSystemEntries(_temp.Combine("sandbox", "release"));
        var error = Assert.Throws<ReleaseException>(() => ReleaseExtractor.Extract(archive, Out, limits));
        Assert.Contains("Nothing was extracted", error.Message);
        // Nothing left behind: no destination, no staging folder beside it.
        Assert.Equal(before, Directory.GetFileSystemEntries(_temp.Combine("sandbox", "release")));
        return error;
    }

    [Fact]
    public void A_safe_archive_is_extracted_with_its_links()
    {
        var archive = Archive(FileEntry("build/index.js", "ok"), Link("node_modules/.bin/x", "../x/cli.js"), FileEntry("node_modules/x/cli.js", "cli"),
            Link("node_modules/.bin/y", "x"), Link("current", "build"));

        ReleaseExtractor.Extract(archive, Out);

        Assert.Equal("ok", File.ReadAllText(Path.Combine(Out, "build/index.js")));
        Assert.Equal("../x/cli.js", new FileInfo(Path.Combine(Out, "node_modules/.bin/x")).LinkTarget);
        Assert.Equal("cli", File.ReadAllText(Path.Combine(Out, "node_modules/.bin/y")));
        Assert.Equal("ok", File.ReadAllText(Path.Combine(Out, "current/index.js")));
        Assert.Equal([Out], Directory.GetFileSystemEntries(_temp.Combine("sandbox", "release")));
    }

    [Fact]
    public void Extracting_again_replaces_the_previous_folder_and_a_refused_archive_keeps_it()
    {
        ReleaseExtractor.Extract(Archive(FileEntry("old.txt")), Out);
        ReleaseExtractor.Extract(Archive(FileEntry("new.txt")), Out);
        Assert.Equal(["new.txt"], Directory.GetFileSystemEntries(Out).Select(Path.GetFileName));

        Refused(Archive(FileEntry("other.txt"), FileEntry("../evil")));

        Assert.Equal(["new.txt"], Directory.GetFileSystemEntries(Out).Select(Path.GetFileName));
    }

    [Fact]
    public void Leftovers_of_a_killed_extraction_are_removed_by_the_next_one()
    {
        Directory.CreateDirectory(_temp.Combine("sandbox", "release", ".out.0123.partial", "half"));
        Directory.CreateDirectory(_temp.Combine("sandbox", "release", ".out.4567.old"));

        ReleaseExtractor.Extract(Archive(FileEntry("a.txt")), Out);

        Assert.Equal([Out], Directory.GetFileSystemEntries(_temp.Combine("sandbox", "release")));
    }

    [Theory]
    [InlineData("/etc/evil", "an absolute path")]
    [InlineData("../evil", "a path with '..'")]
    [InlineData("build/../../evil", "a path with '..'")]
    public void An_unsafe_path_refuses_the_archive_and_leaves_nothing_behind(string name, string reason)
    {
        var archive = Archive(FileEntry("build/index.js"), FileEntry(name));

        var error = Refused(archive);

        Assert.Contains(reason, error.Message);
        Assert.Contains($"'{name}'", error.Message);
        Assert.False(File.Exists(_temp.Combine("sandbox", "evil")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../outside")]
    public void A_link_pointing_outside_the_release_is_refused(string target)
    {
        var error = Refused(Archive(Link("web/link", target)));

        Assert.Contains("web/link", error.Message);
    }

    /// <summary>
    /// Each link on its own stays inside the release as text, but "x/up" is created inside a link that already climbed, so
    /// on disk every step climbs two more folders: the last one is "/".
    /// </summary>
    static TarEntry[] ChainOfLinksClimbing(int steps, out string top)
    {
        var entries = new List<TarEntry> { Folder("a/b/c/") };
        top = "a/b/c";
        for (var i = 0; i < steps; i++)
        {
            entries.Add(Link(top + "/up", "../.."));
            top += "/up";
        }
        return [.. entries];
    }

    [Fact]
    public void A_chain_of_relative_links_that_each_look_harmless_but_resolve_to_the_root_is_refused()
    {
        var entries = ChainOfLinksClimbing(12, out var top);

        var error = Refused(Archive(entries));

        Assert.Contains("'a/b/c/up/up'", error.Message);
    }

    [Fact]
    public void A_file_written_through_a_chain_of_links_never_lands_outside()
    {
        // On disk a/b/c/up is a, a/b/c/up/up is the destination's parent, a/b/c/up/up/up two above that.
        var entries = ChainOfLinksClimbing(2, out var top);

        var error = Refused(Archive([.. entries, FileEntry(top + "/pwned.txt", "escaped")]));

        Assert.Contains("'a/b/c/up/up/pwned.txt'", error.Message);
        Assert.Contains("nothing is written through a link", error.Message);
        Assert.Empty(Directory.GetFiles(_temp.Path, "pwned.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_file_below_a_link_made_earlier_in_the_same_archive_is_refused_even_when_the_link_points_inside()
    {
        var error = Refused(Archive(Folder("other/"), Link("node_modules/x", "../other"), FileEntry("node_modules/x/index.js")));

        Assert.Contains("'node_modules/x/index.js'", error.Message);
        Assert.Contains("nothing is written through a link", error.Message);
    }

    [Fact]
    public void A_link_that_would_replace_a_folder_of_files_is_refused()
    {
        // Links are made last: here the folder exists first and the link must not take its place.
        var error = Refused(Archive(FileEntry("lib/index.js"), Link("lib", "..")));

        Assert.Contains("'lib'", error.Message);
    }

    [Fact]
    public void A_link_below_another_link_is_refused()
    {
        var error = Refused(Archive(Folder("real/"), Link("alias", "real"), Link("alias/inner", "../..")));

        Assert.Contains("'alias/inner'", error.Message);
    }

    [Fact]
    public void Links_to_links_are_followed_to_their_end()
    {
        // "b" alone is harmless; "a" goes through "b" and climbs out.
        var error = Refused(Archive(Folder("x/y/"), Link("x/y/b", ".."), Link("a", "x/y/b/../..")));
        Assert.Contains("'a'", error.Message);

        Assert.Contains("more than 40 links", Refused(Archive(Link("p", "q"), Link("q", "p"))).Message);
    }

    [Fact]
    public void Hard_links_duplicates_and_special_files_are_refused_naming_the_entry()
    {
        Assert.Contains("'copy' is a hard link", Refused(Archive(FileEntry("a.txt"), new PaxTarEntry(TarEntryType.HardLink, "copy") { LinkName = "a.txt" })).Message);
        Assert.Contains("'./a.txt' is a second entry with the same name", Refused(Archive(FileEntry("a.txt"), FileEntry("./a.txt"))).Message);
        Assert.Contains("CharacterDevice", Refused(Archive(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null"))).Message);
        Assert.Contains("Fifo", Refused(Archive(new PaxTarEntry(TarEntryType.Fifo, "pipe"))).Message);
    }

    [Fact]
    public void Setuid_setgid_sticky_and_group_or_other_write_bits_are_dropped()
    {
        var entry = FileEntry("bin/tool");
        entry.Mode = UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite |
                     UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                     UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

        ReleaseExtractor.Extract(Archive(entry), Out);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                     UnixFileMode.OtherExecute, File.GetUnixFileMode(Path.Combine(Out, "bin/tool")));
    }

    [Fact]
    public void An_entry_over_the_cap_is_refused_naming_the_entry_and_the_cap()
    {
        // 64 MiB of zeros: about 64 KiB of gzip.
        var bomb = new PaxTarEntry(TarEntryType.RegularFile, "build/bomb.bin") { DataStream = new MemoryStream(new byte[64 << 20]) };
        var archive = Archive(FileEntry("build/index.js"), bomb);
        Assert.True(new FileInfo(archive).Length < 1 << 20);

        var error = Refused(archive, new ExtractionLimits { MaxEntryBytes = 16 << 20 });

        Assert.Contains("'build/bomb.bin'", error.Message);
        Assert.Contains("16 MiB per entry", error.Message);
    }

    [Fact]
    public void An_archive_over_its_total_cap_is_refused_naming_the_entry_that_crossed_it()
    {
        var entries = Enumerable.Range(0, 8).Select(i => (TarEntry)new PaxTarEntry(TarEntryType.RegularFile, $"part{i}.bin") { DataStream = new MemoryStream(new byte[1 << 20]) });

        var error = Refused(Archive([.. entries]), new ExtractionLimits { MaxEntryBytes = 2 << 20, MaxArchiveBytes = 5 << 20 });

        Assert.Contains("'part5.bin'", error.Message);
        Assert.Contains("5 MiB per archive", error.Message);
    }

    [Fact]
    public void The_default_caps_are_one_gib_per_entry_and_four_per_archive()
    {
        Assert.Equal(1L << 30, ExtractionLimits.Default.MaxEntryBytes);
        Assert.Equal(4L << 30, ExtractionLimits.Default.MaxArchiveBytes);
    }

    [Fact]
    public void A_destination_that_is_a_link_is_refused()
    {
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
        File.WriteAllText(_temp.Combine("elsewhere", "keep.txt"), "keep");
        File.CreateSymbolicLink(Out, _temp.Combine("elsewhere"));

        Assert.Throws<ReleaseException>(() => ReleaseExtractor.Extract(Archive(FileEntry("a.txt")), Out));

        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(_temp.Combine("elsewhere")).Select(Path.GetFileName));
    }
}
