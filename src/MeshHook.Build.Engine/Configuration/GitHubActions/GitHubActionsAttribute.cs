namespace MeshHook.Build.Engine.Configuration.GitHubActions;

/// <summary>
/// A workflow <c>.github/workflows/&lt;name&gt;.yml</c> generated from the build class, with NUKE's properties. Without
/// <see cref="GitHubActionsJobAttribute"/>s naming it, the workflow has one job per image running
/// <see cref="InvokedTargets"/> (as NUKE does); with them, it is a pipeline of those jobs.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class GitHubActionsAttribute(string name, params GitHubActionsImage[] images) : Attribute
{
    public string Name { get; } = name;
    public IReadOnlyList<GitHubActionsImage> Images { get; } = images;

    public string[] OnPushBranches { get; set; } = [];
    public string[] OnPushTags { get; set; } = [];
    public string[] OnPushIncludePaths { get; set; } = [];
    public string[] OnPushExcludePaths { get; set; } = [];
    public string[] OnPullRequestBranches { get; set; } = [];
    public string[] OnPullRequestIncludePaths { get; set; } = [];
    public string[] OnPullRequestExcludePaths { get; set; } = [];
    public string? OnCronSchedule { get; set; }

    /// <summary>Manual runs (<c>workflow_dispatch</c>); implied by dispatch inputs.</summary>
    public bool OnWorkflowDispatch { get; set; }

    /// <summary>Parameters offered as typed inputs of a manual run (enum: a choice, bool: a boolean, else a string).</summary>
    public string[] OnWorkflowDispatchRequiredInputs { get; set; } = [];

    public string[] OnWorkflowDispatchOptionalInputs { get; set; } = [];

    /// <summary>Values of enum inputs not offered as choices (e.g. an environment that only exists on a developer's machine).</summary>
    public string[] OnWorkflowDispatchExcludedChoices { get; set; } = [];

    /// <summary>Targets of the single job (NUKE's form); not used with job attributes.</summary>
    public string[] InvokedTargets { get; set; } = [];

    /// <summary>[Secret] parameters passed to every job as <c>NAME: ${{ secrets.NAME }}</c> (environment variables).</summary>
    public string[] ImportSecrets { get; set; } = [];

    /// <summary>Passes the job's token as GITHUB_TOKEN to the build.</summary>
    public bool EnableGitHubToken { get; set; }

    /// <summary>Scopes added to the workflow's <c>permissions</c> (which is <c>contents: read</c> otherwise).</summary>
    public GitHubActionsPermission[] WritePermissions { get; set; } = [];

    public GitHubActionsPermission[] ReadPermissions { get; set; } = [];

    /// <summary>Files whose hash keys the NuGet package cache.</summary>
    public string[] CacheKeyFiles { get; set; } = ["**/global.json", "**/*.csproj", "**/Directory.Build.props", "**/Directory.Packages.props"];

    public string[] CacheIncludePatterns { get; set; } = ["~/.nuget/packages"];

    /// <summary>Upload what the targets of each job produce (<c>Produces</c>) as artifacts.</summary>
    public bool PublishArtifacts { get; set; } = true;

    public int TimeoutMinutes { get; set; }

    public string? EnvironmentName { get; set; }
    public string? EnvironmentUrl { get; set; }

    /// <summary>Workflow-level concurrency (jobs with an environment get their own, per environment).</summary>
    public string? ConcurrencyGroup { get; set; }

    public bool ConcurrencyCancelInProgress { get; set; }

    /// <summary>History to check out: 1 (default) the commit only, 0 all of it (versions computed from tags need it).</summary>
    public int FetchDepth { get; set; } = 1;

    public bool Submodules { get; set; }
    public bool Lfs { get; set; }

    /// <summary>False: the file is left out of <c>--generate-configuration</c> and of the staleness check.</summary>
    public bool AutoGenerate { get; set; } = true;

    /// <summary>For setup-node when the repository has no <c>.nvmrc</c>/<c>.node-version</c>.</summary>
    public string NodeVersion { get; set; } = "20";

    /// <summary>For setup-terraform in jobs that run Terraform targets (targets whose name starts with "Terraform").</summary>
    public string TerraformVersion { get; set; } = "1.11.4";
}
