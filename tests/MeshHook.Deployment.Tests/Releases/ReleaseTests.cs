using System.Formats.Tar;
using System.IO.Compression;
using MeshHook.Deployment.Releases;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Releases;

public sealed class ReleaseTests : IDisposable
{
    readonly TempDirectory _temp = new();
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    static readonly SourceRevision Revision = new("3cef07578982f5b5171f406a5b3313e8036a2839", "1.4.2+3", Dirty: false);

    [Fact]
    public void Release_ids_sort_by_time_name_their_commit_and_are_valid_image_tags()
    {
        var early = ReleaseId.Create(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Revision.Commit);
        var late = ReleaseId.Create(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.FromHours(2)), "ABCDEF1234567890");

        Assert.Equal("20260102-030405-3cef07578982", early.Value);
        Assert.Equal("20261129-220000-abcdef123456", late.Value);
        Assert.True(early.CompareTo(late) < 0);
        Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", early.Value);
        Assert.True(ReleaseId.IsValid(early.Value));
        Assert.False(ReleaseId.IsValid("../20260102-030405-3cef07578982"));
        Assert.Throws<FormatException>(() => ReleaseId.Parse("latest"));
    }

    [Theory]
    [InlineData("v1.4.2-0-g3cef075", "1.4.2")]
    [InlineData("v1.4.2-3-g3cef075", "1.4.2+3")]
    [InlineData("v2.0.0-rc.1-12-gabcdef0", "2.0.0-rc.1+12")]
    public void Version_comes_from_the_latest_v_tag_plus_commits(string describe, string version) =>
        Assert.Equal(version, SourceRevision.VersionFromDescribe(describe));

    [Fact]
    public void Archives_are_byte_identical_for_the_same_content_whatever_the_timestamps_and_creation_order()
    {
        var first = _temp.Combine("a");
        var second = _temp.Combine("b");
        foreach (var (root, order) in new[] { (first, new[] { "x.txt", "sub/y.txt", "sub/run.sh" }), (second, new[] { "sub/run.sh", "sub/y.txt", "x.txt" }) })
        {
            foreach (var name in order)
            {
                var path = Path.Combine(root, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "content of " + name);
                File.SetLastWriteTimeUtc(path, root == first ? DateTime.UtcNow : new DateTime(2011, 1, 1));
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(Path.Combine(root, "sub/run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        DeterministicArchive.Create(first, _temp.Combine("first.tar.gz"));
        DeterministicArchive.Create(second, _temp.Combine("second.tar.gz"));

        Assert.Equal(File.ReadAllBytes(_temp.Combine("first.tar.gz")), File.ReadAllBytes(_temp.Combine("second.tar.gz")));
        var entries = ReadEntries(_temp.Combine("first.tar.gz"));
        Assert.Equal(["sub/", "sub/run.sh", "sub/y.txt", "x.txt"], entries.Select(x => x.Name));
        Assert.All(entries, x =>
        {
            Assert.Equal(DeterministicArchive.Timestamp, x.ModificationTime);
            Assert.Equal(0, x.Uid);
            Assert.Equal(string.Empty, ((GnuTarEntry)x).UserName);
        });
        Assert.Equal(UnixFileMode.UserExecute, entries.Single(x => x.Name == "sub/run.sh").Mode & UnixFileMode.UserExecute);
        Assert.Equal((UnixFileMode)0, entries.Single(x => x.Name == "x.txt").Mode & UnixFileMode.UserExecute);
    }

    [Fact]
    public void Relative_links_are_kept_and_absolute_links_refused()
    {
        var source = _temp.Combine("links");
        _temp.Write("links/bin/tool.js", "console.log(1)");
        Directory.CreateDirectory(Path.Combine(source, ".bin"));
        File.CreateSymbolicLink(Path.Combine(source, ".bin", "tool"), "../bin/tool.js");

        DeterministicArchive.Create(source, _temp.Combine("links.tar.gz"));
        var link = ReadEntries(_temp.Combine("links.tar.gz")).Single(x => x.Name == ".bin/tool");
        Assert.Equal(TarEntryType.SymbolicLink, link.EntryType);
        Assert.Equal("../bin/tool.js", link.LinkName);

        File.CreateSymbolicLink(Path.Combine(source, "escape"), "/etc/passwd");
        var error = Assert.Throws<ReleaseException>(() => DeterministicArchive.Create(source, _temp.Combine("bad.tar.gz")));
        Assert.Contains("absolute path /etc/passwd", error.Message);
    }

    [Fact]
    public void Package_writes_release_json_whose_every_checksum_verifies()
    {
        var store = new ReleaseStore(_temp.Combine("releases"));
        _temp.Write("web/build/index.js", "export {}");
        _temp.Write("workers/worker.mjs", "export {}");

        var manifest = new ReleasePackager(store, _time).Package(Revision, "ci@runner",
            [new ReleaseContent("web", _temp.Combine("web")), new ReleaseContent("workers", _temp.Combine("workers"))],
            ["20260101000000_init.sql"]);

        Assert.Equal("20261130-064512-3cef07578982", manifest.Id);
        Assert.Equal(("1.4.2+3", Revision.Commit, "ci@runner", false), (manifest.Version, manifest.Commit, manifest.Builder, manifest.Dirty));
        Assert.Equal(["20260101000000_init.sql"], manifest.Migrations);
        Assert.Equal(["web.tar.gz", "workers.tar.gz"], manifest.Artifacts.Select(x => x.File));
        Assert.Equal(manifest, store.Verify(manifest.Id) with { Artifacts = manifest.Artifacts, Migrations = manifest.Migrations });
        Assert.Equal(manifest.Artifacts, store.Verify(manifest.Id).Artifacts);
        Assert.Equal([manifest.Id], store.List().Select(x => x.Value));
        Assert.DoesNotContain(Directory.EnumerateDirectories(store.Directory), x => x.EndsWith(".partial"));
    }

    [Fact]
    public void Packaging_unchanged_content_again_reuses_the_latest_release()
    {
        var store = new ReleaseStore(_temp.Combine("releases"));
        _temp.Write("web/a.txt", "a");
        var packager = new ReleasePackager(store, _time);

        var first = packager.Package(Revision, "b", [new ReleaseContent("web", _temp.Combine("web"))], []);
        _time.Advance(TimeSpan.FromMinutes(1));
        var again = packager.Package(Revision, "b", [new ReleaseContent("web", _temp.Combine("web"))], []);

        Assert.Equal(first.Id, again.Id);
        Assert.Single(store.List());
        Assert.DoesNotContain(Directory.EnumerateDirectories(store.Directory), x => x.EndsWith(".partial"));
    }

    [Fact]
    public void Changed_content_gets_a_new_release_and_two_in_the_same_second_get_distinct_ids()
    {
        var store = new ReleaseStore(_temp.Combine("releases"));
        _temp.Write("web/a.txt", "a");
        var packager = new ReleasePackager(store, _time);

        var first = packager.Package(Revision, "b", [new ReleaseContent("web", _temp.Combine("web"))], []);
        _temp.Write("web/a.txt", "changed");
        var second = packager.Package(Revision with { Dirty = true }, "b", [new ReleaseContent("web", _temp.Combine("web"))], []);

        Assert.NotEqual(first.Id, second.Id);
        Assert.StartsWith(first.Id, second.Id);
        Assert.Equal(second.Id, store.Latest()!.Value);
        Assert.NotEqual(first.Artifacts[0].Sha256, second.Artifacts[0].Sha256);
    }

    [Fact]
    public void Verification_names_an_altered_or_missing_artifact()
    {
        var store = new ReleaseStore(_temp.Combine("releases"));
        _temp.Write("web/a.txt", "a");
        var manifest = new ReleasePackager(store, _time).Package(Revision, "b", [new ReleaseContent("web", _temp.Combine("web"))], []);
        var archive = Path.Combine(store.PathOf(new ReleaseId(manifest.Id)), "web.tar.gz");

        File.AppendAllText(archive, "tampered");
        var altered = Assert.Throws<ReleaseException>(() => store.Verify(manifest.Id));
        Assert.Contains("web.tar.gz does not match release.json", altered.Message);

        File.Delete(archive);
        Assert.Contains("web.tar.gz is missing", Assert.Throws<ReleaseException>(() => store.Verify(manifest.Id)).Message);
    }

    [Fact]
    public void An_unknown_release_is_refused_with_the_list_of_available_ones()
    {
        var store = new ReleaseStore(_temp.Combine("releases"));
        _temp.Write("web/a.txt", "a");
        var manifest = new ReleasePackager(store, _time).Package(Revision, "b", [new ReleaseContent("web", _temp.Combine("web"))], []);

        var error = Assert.Throws<ReleaseException>(() => store.Get("20200101-000000-deadbeef0000"));

        Assert.Contains("Unknown release '20200101-000000-deadbeef0000'", error.Message);
        Assert.Contains(manifest.Id, error.Message);
    }

    [Fact]
    public void A_malformed_release_json_is_reported_with_its_path_and_line()
    {
        var path = _temp.Write("release.json", "{\n  \"id\": \"x\",\n  oops\n}");

        var error = Assert.Throws<ReleaseException>(() => ReleaseManifest.Load(path));

        Assert.Contains(path + ":3", error.Message);
    }

    static List<TarEntry> ReadEntries(string archive)
    {
        using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry() is { } entry)
            entries.Add(entry);
        return entries;
    }
}
