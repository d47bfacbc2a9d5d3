using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets;

/// <summary>What every target is made from: the validated environment.json and the services of the run (injected, so tests supply their own).</summary>
public sealed record DeploymentContext
{
    /// <summary>The repository root (local state lives under its .deploy/).</summary>
    public required string RepositoryRoot { get; init; }

    public required EnvironmentConfiguration Environment { get; init; }

    /// <summary>The values a release gets, resolved only when a deploy really runs.</summary>
    public required IDeploymentConfiguration Configuration { get; init; }

    public required ReleaseStore Store { get; init; }

    /// <summary>The one runner of external programs; its masker knows every secret resolved so far.</summary>
    public required ToolRunner Tools { get; init; }

    /// <summary>The process environment (credentials of cloud SDKs, fault injection).</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>Programs from the repository's build (the edge, pglite-server, the Supabase CLI).</summary>
    public required LocalPrograms Programs { get; init; }

    public required TimeProvider Time { get; init; }

    public required DeploymentLog Log { get; init; }

    /// <summary>Who hears about deployments besides the journal (notification channels); each target hands them to its Deployer.</summary>
    public IReadOnlyList<IDeploymentObserver> Observers { get; init; } = [];
}
