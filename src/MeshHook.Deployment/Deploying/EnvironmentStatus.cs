using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;

namespace MeshHook.Deployment.Deploying;

/// <summary>
/// What <c>Status</c> reports for any target: the stable URL and what it serves, the lock holder, the last deployment,
/// and the <see cref="Units"/> that run releases (processes here, revisions in the cloud, processes on each SSH host).
/// </summary>
public sealed record EnvironmentStatus(string Url, string? CurrentRelease, string? Health, string? ServingRelease, LockHolder? LockHolder,
    IReadOnlyList<DeploymentUnit> Units, DeploymentRecord? LastDeployment);
