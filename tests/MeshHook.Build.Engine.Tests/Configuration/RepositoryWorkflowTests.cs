namespace MeshHook.Build.Engine.Tests.Configuration;

/// <summary>
/// The workflows committed in this repository (.github/workflows, generated from build/Build.CI.cs; the staleness test in
/// MeshHook.Build.Tests proves they are what the build generates): actionlint and the rules.
/// </summary>
public sealed class RepositoryWorkflowTests
{
    static string[] Files => Directory.GetFiles(Path.Combine(Workflows.RepositoryRoot, ".github", "workflows"), "*.yml").Order().ToArray();

    [Fact]
    public void The_four_workflows_exist() =>
        Assert.Equal(["ci.yml", "deploy.yml", "infra.yml", "rollback.yml"], Files.Select(Path.GetFileName));

    [Fact]
    public async Task Committed_workflows_pass_actionlint()
    {
        var (clean, report) = await Workflows.LintAsync(Files, TestContext.Current.CancellationToken);
        Assert.True(clean, report);
    }

    [Fact]
    public void Committed_workflows_keep_the_rules()
    {
        foreach (var file in Files)
            WorkflowRules.Check(Path.GetFileName(file), Workflows.Parse(File.ReadAllText(file)));
    }

    [Fact]
    public void Every_deploy_job_downloads_and_verifies_the_built_release_before_deploying_it()
    {
        var deploy = Workflows.Parse(File.ReadAllText(Path.Combine(Workflows.RepositoryRoot, ".github/workflows/deploy.yml")));
        var jobs = Workflows.Jobs(deploy).ToDictionary(x => x.Id, x => x.Job);
        Assert.Equal(["build", "dev", "staging", "production"], jobs.Keys);
        Assert.Contains(Workflows.Steps(jobs["build"]), x => x.Text("uses")?.StartsWith("actions/attest-build-provenance@") == true);
        foreach (var environment in new[] { "dev", "staging", "production" })
        {
            var steps = Workflows.Steps(jobs[environment]);
            var download = steps.FindIndex(x => x.Text("uses")?.StartsWith("actions/download-artifact@") == true && x.Map("with").Text("name") == "build-Package");
            var verify = steps.FindIndex(x => x.Text("run")?.Contains("gh attestation verify") == true);
            // Deploy (with the environment's images built from that release) and never Package again.
            var deployStep = steps.FindIndex(x => x.Text("run") is { } run && run.StartsWith("./build.sh Deploy", StringComparison.Ordinal) &&
                                                  run.EndsWith($"--environment {environment} --skip Package", StringComparison.Ordinal));
            Assert.True(download >= 0 && download < verify && verify < deployStep, $"{environment}: download, verify, then deploy without packaging again");
            Assert.Equal(environment, jobs[environment].Map("environment").Text("name"));
        }
        Assert.Equal("startsWith(github.ref, 'refs/tags/v')", jobs["production"].Text("if"));
    }
}
