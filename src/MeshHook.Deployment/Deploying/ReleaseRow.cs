namespace MeshHook.Deployment.Deploying;

/// <summary>One row of <c>Releases</c>: a release the environment has (unpacked, an image, a revision) and what the journal says about it.</summary>
public sealed record ReleaseRow(string Id, string? Version, string? Commit, DateTimeOffset? DeployedAt, string? DeployedBy, string? Outcome, bool Current);
