using MeshHook.Build.Engine;
using MeshHook.Deployment.Infrastructure;

/// <summary>TerraformPlan and TerraformApply: the infrastructure of dev, staging and production (infra/).</summary>
partial class Build
{
    [Parameter("Let TerraformPlan/TerraformApply delete or replace stateful resources (Key Vault, storage, registry, logs) in staging or production")]
    readonly bool AllowDestroy;

    [Parameter("How long Terraform waits for a state lock held by another run (seconds or hh:mm:ss; default 5 minutes)")]
    readonly TimeSpan TerraformLockTimeout = TimeSpan.FromMinutes(5);

    TerraformWorkflow Terraform => new(Tools, new TerraformLayout(RootDirectory, TemporaryDirectory / "terraform"),
        new TerraformOptions { AllowDestroy = AllowDestroy, LockTimeout = TerraformLockTimeout }, Log.Information);

    Target TerraformPlan => _ => _
        .Description("Plans --environment's infrastructure for the release's image tag; saves the plan in artifacts/terraform/<env>/")
        .Produces("artifacts/terraform/*")
        .Executes(() => Terraform.PlanAsync(Environment, Release, CancellationToken));

    Target TerraformApply => _ => _
        .Description("Applies exactly the plan TerraformPlan saved for --environment (never plans again)")
        .After(TerraformPlan)
        .Executes(() => Terraform.ApplyAsync(Environment, Release, CancellationToken));
}
