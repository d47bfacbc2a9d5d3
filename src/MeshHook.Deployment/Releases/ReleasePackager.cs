namespace MeshHook.Deployment.Releases;

/// <summary>What goes into a release: named folders, each archived as &lt;name&gt;.tar.gz.</summary>
public sealed record ReleaseContent(string Name, string SourceDirectory);

/// <summary>
/// Turns built folders into a release: <c>&lt;store&gt;/&lt;id&gt;/</c> with deterministic archives and release.json. The release
/// folder is written under a temporary name and renamed into place, so a half-written release is never listed. When the
/// latest release has the same commit, version and archive checksums, it is reused: a release is built once, and
/// running Package again without changes adds nothing.
/// </summary>
public sealed class ReleasePackager(ReleaseStore store, TimeProvider time)
{
    public ReleaseManifest Package(SourceRevision revision, string builder, IReadOnlyList<ReleaseContent> contents, IReadOnlyList<string> migrations)
    {
        foreach (var content in contents)
        {
            if (!ReleaseManifest.ArtifactNamePattern().IsMatch(content.Name))
                throw new ReleaseException($"Cannot package '{content.Name}': an artifact name is 1-32 characters of a-z, 0-9 and '-', starting with a letter.");
            if (!Directory.Exists(content.SourceDirectory))
                throw new ReleaseException($"Cannot package '{content.Name}': {content.SourceDirectory} does not exist (its build target did not run?).");
        }

        var createdAt = time.GetUtcNow();
        var id = ReleaseId.Create(createdAt, revision.Commit);
        for (var sequence = 2; Directory.Exists(store.PathOf(id)); sequence++)
            id = ReleaseId.Create(createdAt, revision.Commit, sequence);

        Directory.CreateDirectory(store.Directory);
        var staging = Path.Combine(store.Directory, $".{id.Value}.partial");
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);

        var artifacts = new List<ReleaseArtifact>();
        foreach (var content in contents)
        {
            var file = content.Name + ".tar.gz";
            var path = Path.Combine(staging, file);
            DeterministicArchive.Create(content.SourceDirectory, path);
            artifacts.Add(new ReleaseArtifact(content.Name, file, ReleaseStore.Sha256Of(path), new FileInfo(path).Length));
        }

        var manifest = new ReleaseManifest
        {
            Id = id.Value,
            Version = revision.Version,
            Commit = revision.Commit,
            CreatedAt = createdAt,
            Builder = builder,
            Dirty = revision.Dirty,
            Migrations = migrations,
            Artifacts = artifacts,
        };
        manifest.Validate($"release '{id.Value}'"); // never write a release that could not be loaded again
        if (store.Latest() is { } latest && store.Get(latest.Value) is var existing && IsSameContent(existing, manifest))
        {
            Directory.Delete(staging, recursive: true);
            return existing;
        }
        File.WriteAllText(Path.Combine(staging, ReleaseManifest.FileName), manifest.ToJson());
        Directory.Move(staging, store.PathOf(id));
        return manifest;
    }

    static bool IsSameContent(ReleaseManifest a, ReleaseManifest b) =>
        a.Commit == b.Commit && a.Version == b.Version && a.Dirty == b.Dirty && a.Migrations.SequenceEqual(b.Migrations) &&
        a.Artifacts.SequenceEqual(b.Artifacts);
}
