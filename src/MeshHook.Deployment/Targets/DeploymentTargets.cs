using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Targets.ContainerApps;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets;

/// <summary>The target an environment's <c>target.kind</c> names (as <see cref="Secrets.SecretProviders"/> picks a secret provider).</summary>
public static class DeploymentTargets
{
    public static IDeploymentTarget Create(DeploymentContext context) => Create(context, null);

    /// <param name="connections">Tests only: the Container Apps target's Azure endpoints redirected to loopback servers.</param>
    internal static IDeploymentTarget Create(DeploymentContext context, ContainerAppsConnections? connections) => context.Environment.Target.Kind switch
    {
        TargetKind.Local => LocalTarget.Create(context),
        TargetKind.ContainerApps => ContainerAppsTarget.Create(context, connections),
        TargetKind.Ssh => Ssh.SshTarget.Create(context),
        var kind => throw new UserFacingException(
            $"{context.Environment.Name.ToText()} deploys to a {kind} target, which this build cannot deploy to yet. " +
            $"Use --environment local, or change target.kind in {context.Environment.File}."),
    };

    /// <summary>Whether the kind serves its stable URL through our edge (built by BuildEdge before Deploy and Rollback).</summary>
    public static bool UsesEdge(TargetKind kind) => kind is TargetKind.Local or TargetKind.Ssh; // ssh: every web host runs the edge
}
