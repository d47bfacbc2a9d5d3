using MeshHook.Deployment.Building;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Building;

/// <summary>
/// Anyone can rebuild a release and check its checksums: two clean builds of the same sources, in two different folders
/// (so absolute paths baked into the output would show) at two different times (so timestamps would show), give
/// byte-identical web, workers and migrations archives.
/// </summary>
public sealed class ReproducibleBuildTests : IDisposable
{
    static readonly IReadOnlySet<string> Generated = new HashSet<string> { "node_modules", "build", ".svelte-kit", "coverage", ".turbo" };

    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_clean_builds_of_one_tree_give_byte_identical_artifacts()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var revision = new SourceRevision("3cef07578982f5b5171f406a5b3313e8036a2839", "1.0.0", Dirty: false);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero));

        var first = await BuildAsync("first", revision, time, cancellationToken);
        var second = await BuildAsync("second-build", revision, time, cancellationToken);

        Assert.Equal(["web", "workers", "migrations"], first.Artifacts.Select(x => x.Name));
        foreach (var (a, b) in first.Artifacts.Zip(second.Artifacts))
            Assert.True(a == b, $"{a.File} differs between two builds of the same sources: {a.Sha256} ({a.Size} bytes) vs {b.Sha256} ({b.Size} bytes)");
        Assert.Equal(first.ToJson(), second.ToJson());
    }

    async Task<ReleaseManifest> BuildAsync(string name, SourceRevision revision, FakeTimeProvider time, CancellationToken cancellationToken)
    {
        var root = _temp.Combine(name);
        foreach (var part in new[] { "src/web", "src/workers", "src/supabase" })
            CopySources(Path.Combine(RepositoryFiles.Root, part), Path.Combine(root, part));
        var sources = new MeshHookSources(root, Path.Combine(root, "artifacts"));
        var tools = new ToolRunner(new SecretMasker());

        await sources.Web.BuildAsync(tools, cancellationToken);
        await sources.Workers.BuildAsync(tools, cancellationToken);
        time.Advance(TimeSpan.FromMinutes(7)); // a later build: the release id differs, the artifacts must not
        var manifest = new ReleasePackager(new ReleaseStore(Path.Combine(root, "artifacts", "releases")), time)
            .Package(revision, "tester", ReleaseBuilder.Contents(sources), sources.Migrations());
        return manifest with { Id = "same", CreatedAt = default };
    }

    /// <summary>The sources as a fresh clone has them: generated folders (node_modules, build output) left out.</summary>
    static void CopySources(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            var target = Path.Combine(destination, Path.GetFileName(entry));
            if (Directory.Exists(entry))
            {
                if (!Generated.Contains(Path.GetFileName(entry)))
                    CopySources(entry, target);
            }
            else
            {
                File.Copy(entry, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(entry));
            }
        }
    }
}
