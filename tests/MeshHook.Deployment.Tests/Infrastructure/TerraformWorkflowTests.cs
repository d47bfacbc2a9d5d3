using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Infrastructure;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// TerraformPlan and TerraformApply end to end, against the terraform stand-in (tests/.../Infrastructure/standin):
/// the commands really run as processes, and the stand-in's call log shows exactly what terraform was asked to do.
/// </summary>
public sealed class TerraformWorkflowTests : IDisposable
{
    const string Tag = "3f9c2a7b1d4e";
    const string StagingInit = "-chdir=ROOT/infra init -input=false -no-color -backend-config=environments/staging/backend.hcl";
    const string StagingPlan = "-chdir=ROOT/infra plan -input=false -no-color -lock-timeout=300s -var-file=environments/staging/terraform.tfvars " +
                               "-var image_tag=3f9c2a7b1d4e -out=ROOT/artifacts/terraform/staging/tfplan";
    const string StagingShow = "-chdir=ROOT/infra show -json ROOT/artifacts/terraform/staging/tfplan";
    const string StagingApply = "-chdir=ROOT/infra apply -input=false -no-color -lock-timeout=300s ROOT/artifacts/terraform/staging/tfplan";

    readonly TerraformSandbox _sandbox = new();

    static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Plan_inits_with_the_backend_plans_into_a_file_shows_it_and_prints_the_summary()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");

        var summary = await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);

        Assert.Equal(["version", StagingInit, StagingPlan, StagingShow], _sandbox.Calls());
        Assert.Equal((2, 2, 2, 1), (summary.Creates, summary.Updates, summary.Replaces, summary.Deletes));
        var table = Assert.Single(_sandbox.Messages, x => x.StartsWith("Terraform plan for staging", StringComparison.Ordinal));
        Assert.Contains("2 to create, 2 to update, 2 to replace, 1 to delete", table);
        Assert.Contains("module.web.azurerm_container_app.this", table);
        Assert.True(File.Exists(_sandbox.PlanFile(EnvironmentName.Staging)));

        var record = TerraformPlanRecord.Read(_sandbox.Layout.PlanRecordFile(EnvironmentName.Staging))!;
        Assert.Equal(("staging", Tag, _sandbox.Time.GetUtcNow()), (record.Environment, record.ImageTag, record.CreatedAt));
        Assert.Equal(TerraformPlanRecord.FileSha256(_sandbox.PlanFile(EnvironmentName.Staging)), record.PlanSha256);
    }

    [Fact]
    public async Task Plan_appends_the_summary_to_the_github_step_summary_when_there_is_one()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await File.WriteAllTextAsync(_sandbox.StepSummary, "## Earlier step\n", Token);

        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);

        var markdown = await File.ReadAllTextAsync(_sandbox.StepSummary, Token);
        Assert.StartsWith("## Earlier step\n### Terraform plan: staging", markdown);
        Assert.Contains("| update | `module.workers.azurerm_container_app.this` | `azurerm_container_app` |", markdown);
    }

    [Fact]
    public async Task Plan_writes_no_step_summary_outside_github_actions()
    {
        _sandbox.UsePlan("no-changes.json", "staging");
        _sandbox.PublishStepSummary = false;

        var summary = await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);

        Assert.False(summary.HasChanges);
        Assert.False(File.Exists(_sandbox.StepSummary));
        Assert.Contains(_sandbox.Messages, x => x.Contains("already matches the configuration"));
    }

    [Fact]
    public async Task Deleting_the_key_vault_in_staging_stops_the_plan_and_names_it()
    {
        _sandbox.UsePlan("delete-key-vault.json", "staging");

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token));

        Assert.Contains("module.key_vault.azurerm_key_vault.this (delete)", failure.Message);
        Assert.Contains("--allow-destroy", failure.Message);
        // The summary was shown before stopping, so the person sees everything the plan would do.
        Assert.Contains(_sandbox.Messages, x => x.Contains("0 to replace, 3 to delete"));
    }

    [Fact]
    public async Task Allow_destroy_lets_the_staging_plan_through()
    {
        _sandbox.UsePlan("delete-key-vault.json", "staging");

        var summary = await _sandbox.Workflow(allowDestroy: true).PlanAsync(EnvironmentName.Staging, Tag, Token);

        Assert.Equal(3, summary.Deletes);
    }

    [Fact]
    public async Task Dev_may_delete_its_key_vault()
    {
        _sandbox.UsePlan("delete-key-vault.json", "dev");

        var summary = await _sandbox.Workflow().PlanAsync(EnvironmentName.Dev, Tag, Token);

        Assert.Equal(3, summary.Deletes);
        Assert.Contains("-backend-config=environments/dev/backend.hcl", _sandbox.Calls()[1]);
    }

    [Fact]
    public async Task Apply_applies_exactly_the_saved_plan_and_never_plans_again()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        var workflow = _sandbox.Workflow();
        await workflow.PlanAsync(EnvironmentName.Staging, Tag, Token);
        _sandbox.ClearCalls();

        await workflow.ApplyAsync(EnvironmentName.Staging, release: null, Token);

        Assert.Equal(["version", StagingInit, StagingShow, StagingApply], _sandbox.Calls());
        Assert.Contains(_sandbox.ToolOutput, x => x.StartsWith("Apply complete!", StringComparison.Ordinal));
        // A plan is applied once.
        Assert.False(File.Exists(_sandbox.PlanFile(EnvironmentName.Staging)));
        var again = await Assert.ThrowsAsync<InfrastructureException>(() => workflow.ApplyAsync(EnvironmentName.Staging, null, Token));
        Assert.Contains("no saved plan for staging", again.Message);
    }

    [Fact]
    public async Task Apply_without_a_saved_plan_fails_before_running_anything()
    {
        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Production, null, Token));

        Assert.Contains("There is no saved plan for production", failure.Message);
        Assert.Contains("Run TerraformPlan --environment production first", failure.Message);
        Assert.Empty(_sandbox.Calls());
    }

    [Fact]
    public async Task Apply_refuses_a_plan_made_for_another_environment()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        var production = _sandbox.Layout.PlanDirectory(EnvironmentName.Production);
        Directory.CreateDirectory(production);
        foreach (var file in Directory.EnumerateFiles(_sandbox.Layout.PlanDirectory(EnvironmentName.Staging)))
            File.Copy(file, Path.Combine(production, Path.GetFileName(file)));
        _sandbox.ClearCalls();

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Production, null, Token));

        Assert.Contains("was made for staging, not production", failure.Message);
        Assert.Empty(_sandbox.Calls());
    }

    [Fact]
    public async Task Apply_refuses_a_plan_whose_json_names_another_environment()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        _sandbox.UsePlan("mixed-changes.json", "production");
        _sandbox.ClearCalls();

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token));

        Assert.Contains("was made with environment = \"production\", not staging", failure.Message);
        Assert.DoesNotContain(_sandbox.Calls(), x => x.Contains(" apply ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_refuses_a_plan_whose_json_names_another_environment()
    {
        _sandbox.UsePlan("mixed-changes.json", "dev");

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token));

        Assert.Contains("environment = \"dev\", not staging", failure.Message);
    }

    [Theory]
    [InlineData("main.tf")]
    [InlineData("modules/key_vault/main.tf")]
    [InlineData("environments/staging/terraform.tfvars")]
    [InlineData("environments/staging/backend.hcl")]
    public async Task Apply_refuses_a_plan_made_before_the_configuration_changed(string file)
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        await File.AppendAllTextAsync(Path.Combine(_sandbox.InfraDirectory, file), "\n# changed after the plan\n", Token);
        _sandbox.ClearCalls();

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token));

        Assert.Contains("The saved plan for staging is stale: the Terraform configuration", failure.Message);
        Assert.Empty(_sandbox.Calls());
    }

    [Fact]
    public async Task Another_environments_files_do_not_make_the_plan_stale()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        await File.AppendAllTextAsync(Path.Combine(_sandbox.InfraDirectory, "environments/production/terraform.tfvars"), "\n# production only\n", Token);

        await _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token);

        Assert.Contains(StagingApply, _sandbox.Calls());
    }

    [Fact]
    public async Task Apply_refuses_an_old_plan()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        _sandbox.Time.Advance(TimeSpan.FromHours(25));

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token));

        Assert.Contains("is stale: it was made at 2026-11-30 06:40:00Z, more than 24 h ago", failure.Message);
    }

    [Fact]
    public async Task Apply_refuses_a_plan_file_that_was_replaced()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        await File.WriteAllTextAsync(_sandbox.PlanFile(EnvironmentName.Staging), "another plan", Token);

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token));

        Assert.Contains("is not the one TerraformPlan saved", failure.Message);
    }

    [Fact]
    public async Task Apply_refuses_a_plan_for_another_release()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, "999999999999", Token));

        Assert.Contains("runs image tag 3f9c2a7b1d4e, not the requested release 999999999999", failure.Message);
    }

    [Fact]
    public async Task Apply_checks_the_destroy_guard_again()
    {
        _sandbox.UsePlan("delete-key-vault.json", "staging");
        await _sandbox.Workflow(allowDestroy: true).PlanAsync(EnvironmentName.Staging, Tag, Token);
        _sandbox.ClearCalls();

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token));
        Assert.Contains("module.key_vault.azurerm_key_vault.this", failure.Message);
        Assert.DoesNotContain(StagingApply, _sandbox.Calls());

        await _sandbox.Workflow(allowDestroy: true).ApplyAsync(EnvironmentName.Staging, null, Token);
        Assert.Contains(StagingApply, _sandbox.Calls());
    }

    [Fact]
    public async Task A_plan_that_fails_midway_leaves_nothing_to_apply()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");
        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token);
        File.Delete(_sandbox.PlanJson); // the next show -json fails

        await Assert.ThrowsAsync<ToolExitException>(() => _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, "aaaaaaaaaaaa", Token));
        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Staging, null, Token));

        Assert.Contains("There is no saved plan for staging", failure.Message);
    }

    [Fact]
    public async Task The_local_environment_has_no_terraform()
    {
        var plan = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().PlanAsync(EnvironmentName.Local, Tag, Token));
        var apply = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().ApplyAsync(EnvironmentName.Local, Tag, Token));

        Assert.Contains("The local environment has no Terraform infrastructure", plan.Message);
        Assert.Contains("--environment dev, staging or production", plan.Message);
        Assert.Equal(plan.Message, apply.Message);
        Assert.Empty(_sandbox.Calls());
    }

    [Fact]
    public async Task Without_terraform_on_path_the_error_says_how_to_install_it()
    {
        _sandbox.UsePlan("mixed-changes.json", "staging");

        var failure = await Assert.ThrowsAsync<ToolNotFoundException>(() =>
            _sandbox.Workflow(terraformOnPath: false).PlanAsync(EnvironmentName.Staging, Tag, Token));

        Assert.Equal("terraform", failure.Executable);
        Assert.StartsWith("'terraform' was not found on PATH.", failure.Message);
        Assert.Contains("https://developer.hashicorp.com/terraform/install", failure.Message);
        Assert.Contains("hashicorp/setup-terraform", failure.Message);
    }

    [Fact]
    public async Task A_missing_environment_file_is_named()
    {
        File.Delete(Path.Combine(_sandbox.InfraDirectory, "environments", "staging", "backend.hcl"));

        var failure = await Assert.ThrowsAsync<InfrastructureException>(() => _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, Tag, Token));

        Assert.Contains("The staging environment is missing infra/environments/staging/backend.hcl", failure.Message);
        Assert.Empty(_sandbox.Calls());
    }

    [Fact]
    public async Task An_invalid_release_is_not_used_as_an_image_tag()
    {
        var failure = await Assert.ThrowsAsync<InfrastructureException>(() =>
            _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, "v1 --destroy", Token));

        Assert.Contains("cannot be an image tag", failure.Message);
        Assert.Empty(_sandbox.Calls());
    }

    [Fact]
    public async Task Without_a_release_the_image_tag_is_the_commits_short_sha()
    {
        var git = new ToolRunner(new SecretMasker());
        async Task Git(params string[] arguments) =>
            await git.RunAsync(new ToolCommand("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", .. arguments])
                { WorkingDirectory = _sandbox.Root, LogOutput = false, Timeout = TimeSpan.FromMinutes(1) }, Token);
        await Git("init", "--quiet");
        await Git("add", "infra");
        await Git("commit", "--quiet", "-m", "infra");
        var sha = (await git.RunAsync(new ToolCommand("git", "rev-parse", "HEAD") { WorkingDirectory = _sandbox.Root, LogOutput = false }, Token))
            .StandardOutput.Trim();
        _sandbox.UsePlan("no-changes.json", "staging");

        await _sandbox.Workflow().PlanAsync(EnvironmentName.Staging, release: null, Token);

        Assert.Contains(_sandbox.Calls(), x => x.Contains($" -var image_tag={sha[..12]} ", StringComparison.Ordinal));
        Assert.Equal(sha[..12], TerraformPlanRecord.Read(_sandbox.Layout.PlanRecordFile(EnvironmentName.Staging))!.ImageTag);
    }
}
