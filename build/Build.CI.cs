using MeshHook.Build.Engine.Configuration.GitHubActions;

// The GitHub Actions workflows, as a declaration of the pipelines (attributes only). After a change here, run
// ./build.sh --generate-configuration and commit .github/workflows: a test fails while they differ.
//
// ci:       pull requests and pushes to main run Test.
// deploy:   main → build (Test, Package; the release uploaded and attested once) → dev → staging; a v* tag continues
//           the same pipeline, with the same release, to production behind its reviewers. Each deploy job builds its
//           environment's images from the downloaded release (each environment has its own registry), never from the
//           working tree.
// rollback: a manual run rolls an environment back (to the previous release, or the one given).
// infra:    pull requests touching infra/ plan every environment; merges apply dev and staging from the saved plans;
//           production applies behind its reviewers.

[GitHubActions("ci", GitHubActionsImage.UbuntuLatest,
    OnPushBranches = [MainBranch],
    OnPullRequestBranches = [MainBranch],
    InvokedTargets = [nameof(Test)],
    TimeoutMinutes = 15,
    ConcurrencyGroup = "ci-${{ github.ref }}",
    ConcurrencyCancelInProgress = true)]

[GitHubActions("deploy", OnPushBranches = [MainBranch], OnPushTags = [ReleaseTags], FetchDepth = 0)]
[GitHubActionsJob("deploy", "build", InvokedTargets = [nameof(Test), nameof(Package)],
    AttestTargets = [nameof(Package)], TimeoutMinutes = 30)]
[GitHubActionsJob("deploy", "dev", OptionalTargets = ["BuildImages"], Needs = ["build"], InvokedTargets = [nameof(Deploy)], Arguments = ["--environment", "dev"],
    EnvironmentName = "dev", EnvironmentUrl = EnvironmentUrl, OnFailureTargets = ["Notify"], TimeoutMinutes = 30)]
[GitHubActionsJob("deploy", "staging", OptionalTargets = ["BuildImages"], Needs = ["dev"], InvokedTargets = [nameof(Deploy)], Arguments = ["--environment", "staging"],
    EnvironmentName = "staging", EnvironmentUrl = EnvironmentUrl, OnFailureTargets = ["Notify"], TimeoutMinutes = 30)]
[GitHubActionsJob("deploy", "production", OptionalTargets = ["BuildImages"], Needs = ["staging"], If = OnReleaseTag, InvokedTargets = [nameof(Deploy)],
    Arguments = ["--environment", "production"], EnvironmentName = "production", EnvironmentUrl = EnvironmentUrl,
    OnFailureTargets = ["Notify"], TimeoutMinutes = 30)]

[GitHubActions("rollback",
    OnWorkflowDispatchRequiredInputs = [nameof(Environment)],
    OnWorkflowDispatchOptionalInputs = [nameof(Release)],
    OnWorkflowDispatchExcludedChoices = ["Local"])]
[GitHubActionsJob("rollback", "rollback", InvokedTargets = [nameof(Rollback)], EnvironmentName = "${{ inputs.environment }}",
    EnvironmentUrl = EnvironmentUrl, OnFailureTargets = ["Notify"], TimeoutMinutes = 30)]

[GitHubActions("infra", OnPullRequestBranches = [MainBranch], OnPullRequestIncludePaths = [InfraPaths],
    OnPushBranches = [MainBranch], OnPushIncludePaths = [InfraPaths])]
[GitHubActionsJob("infra", "plan-dev", InvokedTargets = [nameof(TerraformPlan)], Arguments = ["--environment", "dev"], EnvironmentName = "dev")]
[GitHubActionsJob("infra", "plan-staging", InvokedTargets = [nameof(TerraformPlan)], Arguments = ["--environment", "staging"], EnvironmentName = "staging")]
[GitHubActionsJob("infra", "plan-production", InvokedTargets = [nameof(TerraformPlan)], Arguments = ["--environment", "production"], EnvironmentName = "production")]
[GitHubActionsJob("infra", "apply-dev", Needs = ["plan-dev"], If = OnMain, InvokedTargets = [nameof(TerraformApply)],
    Arguments = ["--environment", "dev"], EnvironmentName = "dev")]
[GitHubActionsJob("infra", "apply-staging", Needs = ["plan-staging", "apply-dev"], If = OnMain, InvokedTargets = [nameof(TerraformApply)],
    Arguments = ["--environment", "staging"], EnvironmentName = "staging")]
[GitHubActionsJob("infra", "apply-production", Needs = ["plan-production", "apply-staging"], If = OnMain, InvokedTargets = [nameof(TerraformApply)],
    Arguments = ["--environment", "production"], EnvironmentName = "production")]
partial class Build
{
    const string MainBranch = "main";
    const string ReleaseTags = "v*";
    const string InfraPaths = "infra/**";
    const string OnReleaseTag = "startsWith(github.ref, 'refs/tags/v')";
    const string OnMain = "github.event_name == 'push' && github.ref == 'refs/heads/main'";

    /// <summary>Set per GitHub environment by infra/github (Terraform).</summary>
    const string EnvironmentUrl = "${{ vars.MESHHOOK_PUBLIC_URL }}";
}
