using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>The stand-in itself: it must be clean shell and fail loudly on anything the build should never run.</summary>
public sealed class TerraformStandInTests : IDisposable
{
    readonly TerraformSandbox _sandbox = new();

    static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _sandbox.Dispose();

    Task<ToolResult> StandIn(params string[] arguments) =>
        new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand(Path.Combine(_sandbox.BinDirectory, "terraform"), arguments)
        {
            WorkingDirectory = _sandbox.Root,
            ThrowOnFailure = false,
            LogOutput = false,
            Timeout = TimeSpan.FromSeconds(30),
            Environment = new Dictionary<string, string?>
            {
                ["TERRAFORM_STANDIN_LOG"] = _sandbox.CallLog,
                ["TERRAFORM_STANDIN_PLAN"] = _sandbox.PlanJson,
            },
        }, Token);

    [Fact]
    public async Task It_is_shellcheck_clean()
    {
        Assert.True(ExecutableLocator.Find("shellcheck") is not null, "shellcheck is not installed: ./build.sh Restore installs it (apt-get install shellcheck).");

        var result = await new ToolRunner(new SecretMasker()).RunAsync(
            new ToolCommand("shellcheck", RepositoryFiles.StandIn) { ThrowOnFailure = false, LogOutput = false }, Token);

        Assert.True(result.Succeeded, result.StandardOutput);
    }

    [Fact]
    public void It_is_executable_in_the_repository()
    {
        Assert.NotEqual(default, File.GetUnixFileMode(RepositoryFiles.StandIn) & UnixFileMode.UserExecute);
    }

    [Theory]
    [InlineData(new[] { "destroy", "-auto-approve" }, "unexpected command: destroy")]
    [InlineData(new[] { "-chdir=infra", "apply", "-auto-approve" }, "the build must apply exactly a saved plan")]
    [InlineData(new[] { "-chdir=infra", "apply", "-input=false" }, "apply without a plan file would plan again")]
    [InlineData(new[] { "-chdir=infra", "plan", "-input=false" }, "plan without -out")]
    [InlineData(new[] { "-chdir=infra", "init", "-input=false" }, "init without -backend-config")]
    [InlineData(new[] { "-chdir=infra", "init", "-backend-config=environments/nowhere/backend.hcl" }, "backend config 'environments/nowhere/backend.hcl' does not exist")]
    [InlineData(new[] { "-chdir=infra", "show", "tfplan" }, "expected: show -json PLANFILE")]
    public async Task It_fails_loudly_on_what_the_build_must_never_run(string[] arguments, string message)
    {
        var result = await StandIn(arguments);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains(message, result.StandardError);
    }

    [Fact]
    public async Task It_logs_one_line_per_call_writes_the_plan_file_and_shows_the_fixture()
    {
        _sandbox.UsePlan("no-changes.json", "staging");
        var plan = Path.Combine(_sandbox.Root, "out", "tfplan");

        Assert.True((await StandIn("version")).Succeeded);
        Assert.True((await StandIn("-chdir=infra", "plan", "-var-file=environments/dev/terraform.tfvars", "-var", "image_tag=x", "-out", plan)).Succeeded);
        var show = await StandIn("-chdir=infra", "show", "-json", plan);

        Assert.True(File.Exists(plan));
        Assert.Equal(await File.ReadAllTextAsync(_sandbox.PlanJson, Token), show.StandardOutput + "");
        Assert.Equal(3, _sandbox.Calls().Count);
        Assert.Equal($"-chdir=infra plan -var-file=environments/dev/terraform.tfvars -var image_tag=x -out ROOT/out/tfplan", _sandbox.Calls()[1]);
    }

    [Fact]
    public async Task It_needs_its_log()
    {
        var result = await new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand(Path.Combine(_sandbox.BinDirectory, "terraform"), "version")
        {
            ThrowOnFailure = false,
            LogOutput = false,
            Environment = new Dictionary<string, string?> { ["TERRAFORM_STANDIN_LOG"] = null },
        }, Token);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("TERRAFORM_STANDIN_LOG", result.StandardError);
    }
}
