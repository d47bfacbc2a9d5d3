using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>retention</c>: how many releases an environment keeps (the current and the previous one are never removed, so a
/// rollback target always exists).
/// <code>"retention": { "releases": 5 }</code>
/// </summary>
public sealed class RetentionOptions
{
    public const int MinimumReleases = 2, MaximumReleases = 100;

    public int Releases { get; init; } = 5;

    internal static RetentionOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var retention = new RetentionOptions
        {
            Releases = section.Integer("releases", required: false, MinimumReleases, MaximumReleases) ?? new RetentionOptions().Releases,
        };
        section.RejectUnknownKeys();
        return retention;
    }
}
