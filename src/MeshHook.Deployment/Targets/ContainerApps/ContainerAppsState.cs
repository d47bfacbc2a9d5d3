using MeshHook.Deployment.Releases;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>One revision as a plan sees it: its release (from the image tag), whether active, its share of the traffic.</summary>
public sealed record AppRevision(string Name, string? Release, bool Active, int TrafficPercent, DateTimeOffset? Created = null)
{
    /// <summary>In the target's words for Status: running, provisioning, failed, inactive.</summary>
    public string? State { get; init; }

    /// <summary>The release a revision runs: the tag of its image when it is a release id (a placeholder image has none).</summary>
    public static string? ReleaseOf(IEnumerable<string> images) =>
        images.Select(x => x.LastIndexOf(':') is var colon and >= 0 ? x[(colon + 1)..] : null)
            .FirstOrDefault(x => x is not null && ReleaseId.IsValid(x));

    internal static AppRevision From(Revision revision) =>
        new(revision.Name, ReleaseOf(revision.Images), revision.Active, revision.TrafficWeight, revision.CreatedTime)
        {
            State = !revision.Active ? "inactive"
                : revision.HasFailed ? $"failed ({revision.RunningState ?? revision.ProvisioningState})"
                : revision.IsRunning ? "running"
                : (revision.RunningState ?? revision.ProvisioningState ?? "unknown").ToLowerInvariant(),
        };
}

/// <summary>
/// What the two apps run when a plan is made: every revision of the web and the workers app, oldest first. Read from ARM
/// by <see cref="ContainerAppsTarget"/>; written by hand in the plan tests.
/// </summary>
public sealed record ContainerAppsState(IReadOnlyList<AppRevision> Web, IReadOnlyList<AppRevision> Workers)
{
    public static readonly ContainerAppsState Empty = new([], []);

    /// <summary>The web revision that serves most of the traffic (the one a rollback after the switch returns to).</summary>
    public AppRevision? ServingWeb => Web.Where(x => x.TrafficPercent > 0).OrderByDescending(x => x.TrafficPercent).FirstOrDefault();

    /// <summary>The release the environment URL serves, if its revision runs one (not a placeholder image).</summary>
    public string? CurrentRelease => ServingWeb?.Release;

    /// <summary>The active worker revisions: those that run now.</summary>
    public IReadOnlyList<AppRevision> ActiveWorkers => Workers.Where(x => x.Active).ToList();
}
