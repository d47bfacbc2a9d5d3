using MeshHook.Deployment.Releases;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>The release manifests the plan-snapshot tests of every target kind plan with: fixed, so snapshots are stable.</summary>
internal static class PlanManifests
{
    /// <summary>A manifest for release <paramref name="id"/> (version and commit derived from it), built by <paramref name="builder"/>.</summary>
    public static ReleaseManifest For(string id, string builder = "tester@test") => new()
    {
        Id = id,
        Version = "1.0." + id[..8],
        Commit = id[16..] + "0000000000000000000000000000",
        CreatedAt = DateTimeOffset.Parse("2026-03-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        Builder = builder,
        Dirty = false,
        Migrations = ["20260101000000_first.sql"],
        Artifacts = new[] { "web", "workers", "migrations" }.Select(x => new ReleaseArtifact(x, x + ".tar.gz", new string('0', 64), 1)).ToList(),
    };
}
