using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>Delete one release folder on a host (retention): data in the plan, printed by --dry-run, run as one quoted <c>rm -rf</c>.</summary>
public sealed record RemoveRemoteRelease(SshHost Host, string ReleaseId, string Directory) : SshStep(Host)
{
    public RemoteCommand Command => new("rm", "-rf", "--", Directory);

    protected override string What() => $"remove releases/{ReleaseId} (retention)";
}

/// <summary>
/// Retention on the hosts, as the local target has it: per host keep the newest <c>retention.releases</c> releases, and
/// never remove the one being deployed, the one the host serves now (what a failure or a rollback goes back to), a
/// release with a live process on the host, nor the protected ones (the journal's last known-good releases).
/// </summary>
public static class SshRetention
{
    public static IReadOnlyList<DeployStep> Steps(SshSettings settings, SshHostState state, string release, string? previous, IReadOnlyCollection<string> protectedReleases)
    {
        var keep = new HashSet<string>(state.Staged.Append(release).Distinct().Order(StringComparer.Ordinal).TakeLast(settings.RetainReleases), StringComparer.Ordinal)
        {
            release,
        };
        if (previous is not null)
            keep.Add(previous);
        if (state.Current is not null)
            keep.Add(state.Current);
        keep.UnionWith(protectedReleases);
        keep.UnionWith(state.Processes.Where(x => x.Alive && x.Release is not null).Select(x => x.Release!));
        var layout = settings.LayoutOf(state.Host);
        return state.Staged.Where(x => !keep.Contains(x)).Order(StringComparer.Ordinal)
            .Select(x => (DeployStep)new RemoveRemoteRelease(state.Host, x, layout.ReleaseDirectory(x))).ToList();
    }

    /// <summary>The clean-up step removing, on every host in parallel, what retention lets go; null when nothing goes.</summary>
    public static DeployStep? Step(SshSettings settings, IReadOnlyList<SshHostState> states, string release, string? previous, IReadOnlyCollection<string> protectedReleases)
    {
        var lanes = states.Select(x => Steps(settings, x, release, previous, protectedReleases)).Where(x => x.Count > 0).ToList();
        return lanes.Count == 0 ? null : new InParallel($"remove releases past retention (keep {settings.RetainReleases})", lanes);
    }
}
