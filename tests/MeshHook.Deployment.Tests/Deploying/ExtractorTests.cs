using System.Formats.Tar;
using System.IO.Compression;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Tests.Releases;

namespace MeshHook.Deployment.Tests.Deploying;

public sealed class ExtractorTests : IDisposable
{
    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

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

    [Fact]
    public void A_safe_archive_is_extracted_with_its_links()
    {
        var archive = Archive(FileEntry("build/index.js", "ok"), new PaxTarEntry(TarEntryType.SymbolicLink, "node_modules/.bin/x") { LinkName = "../x/cli.js" });

        ReleaseExtractor.Extract(archive, _temp.Combine("out"));

        Assert.Equal("ok", File.ReadAllText(_temp.Combine("out/build/index.js")));
        Assert.Equal("../x/cli.js", new FileInfo(_temp.Combine("out/node_modules/.bin/x")).LinkTarget);
    }

    [Theory]
    [InlineData("/etc/evil", "an absolute path")]
    [InlineData("../evil", "a path with '..'")]
    [InlineData("build/../../evil", "a path with '..'")]
    public void An_unsafe_path_refuses_the_archive_before_anything_is_written(string name, string reason)
    {
        var archive = Archive(FileEntry("build/index.js"), FileEntry(name));

        var error = Assert.Throws<ReleaseException>(() => ReleaseExtractor.Extract(archive, _temp.Combine("out")));

        Assert.Contains(reason, error.Message);
        Assert.Contains("Nothing was extracted", error.Message);
        Assert.False(Directory.Exists(_temp.Combine("out")));
        Assert.False(Directory.Exists(_temp.Combine("out.partial")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_temp.Path)!, "evil")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../outside")]
    public void A_link_pointing_outside_the_release_is_refused(string target)
    {
        var archive = Archive(new PaxTarEntry(TarEntryType.SymbolicLink, "web/link") { LinkName = target });

        var error = Assert.Throws<ReleaseException>(() => ReleaseExtractor.Extract(archive, _temp.Combine("out")));

        Assert.Contains("web/link", error.Message);
        Assert.False(Directory.Exists(_temp.Combine("out")));
    }

    [Fact]
    public void Device_files_are_refused()
    {
        var archive = Archive(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null"));

        Assert.Contains("CharacterDevice", Assert.Throws<ReleaseException>(() => ReleaseExtractor.Extract(archive, _temp.Combine("out"))).Message);
    }
}
