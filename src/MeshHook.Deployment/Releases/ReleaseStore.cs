using System.Security.Cryptography;

namespace MeshHook.Deployment.Releases;

/// <summary>The releases built on this machine: <c>artifacts/releases/&lt;id&gt;/</c>, each with its release.json.</summary>
public sealed class ReleaseStore(string directory)
{
    public string Directory { get; } = directory;

    public string PathOf(ReleaseId id) => Path.Combine(Directory, id.Value);

    public IReadOnlyList<ReleaseId> List() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetDirectories(Directory)
                .Select(Path.GetFileName)
                .Where(x => x is not null && ReleaseId.IsValid(x) && File.Exists(Path.Combine(Directory, x, ReleaseManifest.FileName)))
                .Select(x => new ReleaseId(x!))
                .Order()
                .ToList()
            : [];

    public ReleaseId? Latest() => List().LastOrDefault();

    /// <summary>The release with this id; an unknown id is refused with the list of those available.</summary>
    public ReleaseManifest Get(string id)
    {
        var available = List();
        var match = available.FirstOrDefault(x => x.Value == id);
        if (match is null)
        {
            var list = available.Count == 0 ? "none (run ./build.sh Package)" : string.Join(", ", available.TakeLast(10));
            throw new ReleaseException($"Unknown release '{id}'. Available releases: {list}.");
        }
        var path = Path.Combine(PathOf(match), ReleaseManifest.FileName);
        var manifest = ReleaseManifest.Load(path);
        if (manifest.Id != match.Value)
            throw new ReleaseException($"{path}: id '{manifest.Id}' is not the id of its folder ({match.Value}). The release was altered: package it again.");
        return manifest;
    }

    /// <summary>Checks every artifact's size and SHA-256 against release.json; any difference is an error naming the file.</summary>
    public ReleaseManifest Verify(string id)
    {
        var manifest = Get(id);
        var directory = PathOf(new ReleaseId(manifest.Id));
        foreach (var artifact in manifest.Artifacts)
        {
            var path = Path.Combine(directory, artifact.File);
            if (artifact.File.Contains('/') || artifact.File.Contains('\\') || artifact.File.Contains(".."))
                throw new ReleaseException($"Release {manifest.Id}: artifact file name '{artifact.File}' is not a plain file name.");
            if (!File.Exists(path))
                throw new ReleaseException($"Release {manifest.Id}: {artifact.File} is missing.");
            var actual = Sha256Of(path);
            if (new FileInfo(path).Length != artifact.Size || actual != artifact.Sha256)
                throw new ReleaseException(
                    $"Release {manifest.Id}: {artifact.File} does not match release.json (sha256 {actual}, expected {artifact.Sha256}). " +
                    "The release was altered or damaged: package it again.");
        }
        return manifest;
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
