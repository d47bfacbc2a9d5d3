using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets;

/// <summary>
/// Where an environment's releases run (<c>target.kind</c>): this machine, Azure Container Apps, SSH hosts. Validation
/// and protection have been applied before any call (<see cref="EnvironmentOperations"/>). A target turns "deploy R" and
/// "roll back to T" into a <see cref="DeploymentPlan"/> of steps (data) and runs it through the shared
/// <see cref="Deployer"/> with its own <see cref="IStepRunner"/>, lock and journal.
/// </summary>
public interface IDeploymentTarget
{
    /// <summary>Deploys <paramref name="release"/> (verified before anything changes); null when nothing ran (dry run, already current).</summary>
    Task<DeploymentResult?> DeployAsync(ReleaseManifest release, DeployOptions options, CancellationToken cancellationToken);

    /// <summary>Brings back <paramref name="releaseId"/>, or the previous successfully deployed release when null.</summary>
    Task<DeploymentResult?> RollbackAsync(string? releaseId, DeployOptions options, CancellationToken cancellationToken);

    /// <summary>The releases the environment has, oldest first, with what the journal says about each.</summary>
    Task<IReadOnlyList<ReleaseRow>> ReleasesAsync(CancellationToken cancellationToken);

    /// <summary>What serves the stable URL, its health, the lock holder, the last deployment and the running units.</summary>
    Task<EnvironmentStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>Stops everything the environment runs (releases drained first).</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Where this environment's deployments are journaled (Notify and Report read the latest from it).</summary>
    Journal.IDeploymentJournal Journal { get; }

    /// <summary>Removes the deploy lock whoever holds it; returns the holder it removed, if any.</summary>
    Task<LockHolder?> UnlockAsync(CancellationToken cancellationToken);
}
