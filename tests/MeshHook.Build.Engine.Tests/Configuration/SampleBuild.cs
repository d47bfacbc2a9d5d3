using MeshHook.Build.Engine.Configuration.GitHubActions;

namespace MeshHook.Build.Engine.Tests.Configuration;

public enum Stage
{
    Laptop,
    Qa,
    Live,
}

/// <summary>
/// A small build with every feature of the generator: a NUKE-style single-job workflow, a pipeline that builds once and
/// promotes the same package to qa and (on tags) live, a manual rollback with typed inputs, and a Terraform job.
/// </summary>
[GitHubActions("checks", GitHubActionsImage.UbuntuLatest, OnPushBranches = ["main"], OnPullRequestBranches = ["main"],
    InvokedTargets = [nameof(Test)], ImportSecrets = [nameof(FeedToken)], TimeoutMinutes = 10)]
[GitHubActions("release", OnPushBranches = ["main"], OnPushTags = ["v*"], FetchDepth = 0)]
[GitHubActionsJob("release", "build", InvokedTargets = [nameof(Test), nameof(Pack)], OptionalTargets = ["Images"], AttestTargets = [nameof(Pack)])]
[GitHubActionsJob("release", "qa", Needs = ["build"], InvokedTargets = [nameof(Ship)], Arguments = ["--stage", "qa"],
    EnvironmentName = "qa", EnvironmentUrl = "${{ vars.PUBLIC_URL }}", OnFailureTargets = [nameof(Announce), "Missing"])]
[GitHubActionsJob("release", "live", Needs = ["qa"], If = "startsWith(github.ref, 'refs/tags/v')", InvokedTargets = [nameof(Ship)],
    Arguments = ["--stage", "live"], EnvironmentName = "live", OnFailureTargets = [nameof(Announce)])]
[GitHubActions("undo", OnWorkflowDispatchRequiredInputs = [nameof(Stage)], OnWorkflowDispatchOptionalInputs = [nameof(Version)],
    OnWorkflowDispatchExcludedChoices = ["Laptop"], ImportSecrets = [nameof(FeedToken)])]
[GitHubActionsJob("undo", "undo", InvokedTargets = [nameof(Undo)], EnvironmentName = "${{ inputs.stage }}")]
[GitHubActions("infra", OnPullRequestBranches = ["main"], OnPullRequestIncludePaths = ["infra/**"], OnPushBranches = ["main"])]
[GitHubActionsJob("infra", "plan", InvokedTargets = [nameof(TerraformPlan)], EnvironmentName = "qa")]
[GitHubActionsJob("infra", "apply", Needs = ["plan"], If = "github.event_name == 'push'", InvokedTargets = [nameof(TerraformApply)], EnvironmentName = "qa")]
public class SampleBuild : NukeBuild
{
    [Parameter("Where to ship")] public readonly Stage Stage;
    [Parameter("Version to ship or undo to")] public readonly string? Version;
    [Parameter("Package feed token"), Secret] public readonly string? FeedToken;

    public Target Compile => _ => _.Description("Compiles").Executes(() => { });
    public Target Test => _ => _.Description("Tests").DependsOn(Compile).Produces("artifacts/tests/*.trx").Executes(() => { });
    public Target Pack => _ => _.Description("Packs").DependsOn(Compile).Produces("artifacts/packages/*").Executes(() => { });
    public Target Ship => _ => _.Description("Ships the package").DependsOn(Pack).Executes(() => { });
    public Target Undo => _ => _.Executes(() => { });
    public Target Announce => _ => _.Description("Says what happened").Executes(() => { });
    public Target TerraformPlan => _ => _.Produces("artifacts/terraform/*").Executes(() => { });
    public Target TerraformApply => _ => _.After(TerraformPlan).Executes(() => { });
    public Target Secret => _ => _.Unlisted().Executes(() => { });
}
