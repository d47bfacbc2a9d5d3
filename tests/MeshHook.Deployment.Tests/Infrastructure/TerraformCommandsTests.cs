using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Infrastructure;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>The exact command lines, read as data: nothing runs.</summary>
public sealed class TerraformCommandsTests
{
    const string Root = "/work/repo";
    static readonly TerraformLayout Layout = new(Root, "/work/repo/.nuke/temp/terraform");
    static readonly TerraformCommands Commands = new(Layout, new TerraformOptions { LockTimeout = TimeSpan.FromMinutes(5) });

    [Fact]
    public void Init_reads_the_environments_backend_without_prompting()
    {
        var command = Commands.Init(EnvironmentName.Staging);

        Assert.Equal("terraform", command.Executable);
        Assert.Equal(
            ["-chdir=/work/repo/infra", "init", "-input=false", "-no-color", "-backend-config=environments/staging/backend.hcl"],
            command.Arguments);
    }

    [Fact]
    public void Plan_uses_the_environments_tfvars_the_image_tag_a_lock_timeout_and_saves_the_plan()
    {
        var command = Commands.Plan(EnvironmentName.Production, "20261130.1-3f9c2a7b1d4e");

        Assert.Equal(
        [
            "-chdir=/work/repo/infra", "plan", "-input=false", "-no-color", "-lock-timeout=300s",
            "-var-file=environments/production/terraform.tfvars",
            "-var", "image_tag=20261130.1-3f9c2a7b1d4e",
            "-out=/work/repo/artifacts/terraform/production/tfplan",
        ], command.Arguments);
    }

    [Fact]
    public void Show_reads_the_saved_plan_as_json_without_logging_it()
    {
        var command = Commands.ShowJson(EnvironmentName.Dev);

        Assert.Equal(["-chdir=/work/repo/infra", "show", "-json", "/work/repo/artifacts/terraform/dev/tfplan"], command.Arguments);
        Assert.False(command.LogOutput);
    }

    [Fact]
    public void Apply_applies_exactly_the_saved_plan_file()
    {
        var command = Commands.Apply(EnvironmentName.Staging);

        Assert.Equal(
            ["-chdir=/work/repo/infra", "apply", "-input=false", "-no-color", "-lock-timeout=300s", "/work/repo/artifacts/terraform/staging/tfplan"],
            command.Arguments);
        Assert.DoesNotContain(command.Arguments, x => x.StartsWith("-var", StringComparison.Ordinal) || x == "-auto-approve");
    }

    [Fact]
    public void Version_takes_no_arguments_but_the_subcommand()
    {
        Assert.Equal(["version"], Commands.Version(EnvironmentName.Staging).Arguments);
    }

    [Fact]
    public void The_image_tag_defaults_to_the_commits_short_sha()
    {
        var command = Commands.CommitShortSha();

        Assert.Equal("git", command.Executable);
        Assert.Equal(["rev-parse", "--short=12", "HEAD"], command.Arguments);
        Assert.Equal(Root, command.WorkingDirectory);
    }

    [Fact]
    public void Every_terraform_command_keeps_its_data_per_environment_runs_non_interactively_and_says_how_to_install_terraform()
    {
        foreach (var command in new[]
                 {
                     Commands.Version(EnvironmentName.Dev), Commands.Init(EnvironmentName.Dev), Commands.Plan(EnvironmentName.Dev, "x"),
                     Commands.ShowJson(EnvironmentName.Dev), Commands.Apply(EnvironmentName.Dev),
                 })
        {
            Assert.Equal("/work/repo/.nuke/temp/terraform/dev", command.Environment["TF_DATA_DIR"]);
            Assert.Equal("1", command.Environment["TF_IN_AUTOMATION"]);
            Assert.Equal("0", command.Environment["TF_INPUT"]);
            Assert.Contains("developer.hashicorp.com/terraform/install", command.InstallHint);
            Assert.NotNull(command.Timeout);
            Assert.Equal(Root, command.WorkingDirectory);
        }
    }

    [Fact]
    public void The_lock_timeout_is_given_in_seconds()
    {
        var commands = new TerraformCommands(Layout, new TerraformOptions { LockTimeout = TimeSpan.FromSeconds(90.7) });
        Assert.Equal("-lock-timeout=90s", commands.LockTimeoutArgument);
        Assert.Contains("-lock-timeout=0s", new TerraformCommands(Layout, new TerraformOptions { LockTimeout = TimeSpan.Zero }).Plan(EnvironmentName.Dev, "x").Arguments);
    }

    [Fact]
    public void Extra_variables_reach_every_command()
    {
        var commands = new TerraformCommands(Layout, new TerraformOptions
        {
            Environment = new Dictionary<string, string?> { ["PATH"] = "/stand-in", ["TF_IN_AUTOMATION"] = null },
        });

        Assert.Equal("/stand-in", commands.Init(EnvironmentName.Dev).Environment["PATH"]);
        Assert.Null(commands.Apply(EnvironmentName.Dev).Environment["TF_IN_AUTOMATION"]);
        Assert.Equal("/stand-in", commands.CommitShortSha().Environment["PATH"]);
    }

    [Fact]
    public void The_layout_names_each_environments_files()
    {
        Assert.Equal("/work/repo/infra/environments/production/backend.hcl", Layout.BackendConfig(EnvironmentName.Production));
        Assert.Equal("/work/repo/infra/environments/dev/terraform.tfvars", Layout.VarFile(EnvironmentName.Dev));
        Assert.Equal("/work/repo/artifacts/terraform/staging/tfplan.record.json", Layout.PlanRecordFile(EnvironmentName.Staging));
        Assert.Equal(["image_tag"], TerraformCommands.CommandLineVariables);
    }
}
