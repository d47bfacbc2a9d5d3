namespace MeshHook.Build.Engine.Configuration.GitHubActions;

/// <summary>
/// A job of the workflow <see cref="Workflow"/>: <c>./build.sh &lt;InvokedTargets&gt; &lt;Arguments&gt;</c> after
/// <see cref="Needs"/>. What the targets of an earlier job produced and this job's targets use (they depend on,
/// consume or run after the producing target) is downloaded from that job, never built again.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class GitHubActionsJobAttribute(string workflow, string id) : Attribute
{
    public string Workflow { get; } = workflow;

    /// <summary>The job's key in the workflow (letters, digits, '-' and '_').</summary>
    public string Id { get; } = id;

    /// <summary>Shown in the run's graph; default: the id.</summary>
    public string? Name { get; set; }

    public string[] InvokedTargets { get; set; } = [];

    /// <summary>Invoked only when the build class has them (targets that other work adds later); left out otherwise.</summary>
    public string[] OptionalTargets { get; set; } = [];

    /// <summary>Fixed command-line arguments of the build (e.g. <c>--environment dev</c>); never expressions.</summary>
    public string[] Arguments { get; set; } = [];

    public string[] Needs { get; set; } = [];

    /// <summary>A condition (an expression without <c>${{ }}</c>), e.g. <c>startsWith(github.ref, 'refs/tags/v')</c>.</summary>
    public string? If { get; set; }

    /// <summary>
    /// The GitHub environment the job acts on: its protection rules (reviewers) apply, its variables are readable, it signs
    /// in to Azure by OIDC with them, and it is serialized with every other job of that environment (queued, never cancelled).
    /// </summary>
    public string? EnvironmentName { get; set; }

    public string? EnvironmentUrl { get; set; }

    /// <summary>Targets whose produced files this job attests (build provenance); jobs downloading them verify it first.</summary>
    public string[] AttestTargets { get; set; } = [];

    /// <summary>Targets run when the job's build fails (e.g. Notify); left out while the build class lacks them.</summary>
    public string[] OnFailureTargets { get; set; } = [];

    public int TimeoutMinutes { get; set; }

    public GitHubActionsImage Image { get; set; } = GitHubActionsImage.UbuntuLatest;

    /// <summary>-1: the workflow's <see cref="GitHubActionsAttribute.FetchDepth"/>.</summary>
    public int FetchDepth { get; set; } = -1;
}
