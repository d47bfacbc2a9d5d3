using MeshHook.Build.Engine.Configuration.GitHubActions;
using Snapshooter;
using Snapshooter.Xunit3;
using YamlDotNet.RepresentationModel;

namespace MeshHook.Build.Engine.Tests.Configuration;

/// <summary>The YAML generated for <see cref="SampleBuild"/>: snapshots, the rules every workflow keeps, actionlint.</summary>
public sealed class WorkflowGenerationTests
{
    static YamlMappingNode Workflow(string name) => Workflows.Parse(Workflows.File<SampleBuild>($".github/workflows/{name}.yml"));

    [Theory]
    [InlineData("checks")]
    [InlineData("release")]
    [InlineData("undo")]
    [InlineData("infra")]
    public void Workflow_matches_the_snapshot(string name) =>
        Snapshot.Match(Workflows.File<SampleBuild>($".github/workflows/{name}.yml"), SnapshotNameExtension.Create(name));

    [Fact]
    public void Single_job_workflow_runs_the_invoked_targets_with_imported_secrets_through_env()
    {
        var job = Workflows.Jobs(Workflow("checks")).Single().Job;
        var run = Workflows.Steps(job).Single(x => x.Has("run"));
        Assert.Equal("./build.sh Test", run.Text("run"));
        Assert.Equal("${{ secrets.FEED_TOKEN }}", run.Map("env").Text("FEED_TOKEN"));
        Assert.Equal("10", job.Text("timeout-minutes"));
    }

    [Fact]
    public void Pipeline_builds_once_and_every_later_job_downloads_the_same_package_and_skips_packing()
    {
        var jobs = Workflows.Jobs(Workflow("release")).ToDictionary(x => x.Id, x => x.Job);
        Assert.Equal(["build", "qa", "live"], jobs.Keys);
        Assert.Equal("build", ((YamlScalarNode)jobs["qa"].List("needs").Single()).Value);
        Assert.Equal("qa", ((YamlScalarNode)jobs["live"].List("needs").Single()).Value);

        var upload = Workflows.Steps(jobs["build"]).Single(x => x.Text("name") == "Upload Pack");
        Assert.Equal("build-Pack", upload.Map("with").Text("name"));
        Assert.Equal("error", upload.Map("with").Text("if-no-files-found"));

        foreach (var id in new[] { "qa", "live" })
        {
            var steps = Workflows.Steps(jobs[id]);
            var download = steps.FindIndex(x => x.Text("uses")?.StartsWith("actions/download-artifact@") == true);
            var verify = steps.FindIndex(x => x.Text("run")?.Contains("gh attestation verify") == true);
            var login = steps.FindIndex(x => x.Text("uses")?.StartsWith("azure/login@") == true);
            var ship = steps.FindIndex(x => x.Text("run")?.StartsWith("./build.sh Ship") == true);
            Assert.True(download >= 0 && download < verify && verify < login && login < ship, $"{id}: download, verify, sign in, then ship");
            Assert.Equal("build-Pack", steps[download].Map("with").Text("name"));   // the build job's bytes, even for live
            Assert.Equal("artifacts/packages", steps[download].Map("with").Text("path"));
            Assert.Contains("--skip Pack", steps[ship].Text("run"));
            Assert.DoesNotContain(steps, x => x.Text("uses")?.StartsWith("actions/upload-artifact@") == true);
        }
    }

    [Fact]
    public void Build_job_attests_what_it_packs_with_the_permissions_that_needs()
    {
        var build = Workflows.Jobs(Workflow("release")).Single(x => x.Id == "build").Job;
        var attest = Workflows.Steps(build).Single(x => x.Text("uses")?.StartsWith("actions/attest-build-provenance@") == true);
        Assert.Equal("artifacts/packages/**", attest.Map("with").Text("subject-path"));
        var permissions = build.Map("permissions");
        Assert.Equal("write", permissions.Text("id-token"));
        Assert.Equal("write", permissions.Text("attestations"));
        Assert.Equal("read", permissions.Text("contents"));
        Assert.False(permissions.Has("deployments"));
    }

    [Fact]
    public void Every_workflow_keeps_the_rules()
    {
        foreach (var file in Workflows.Generate<SampleBuild>().Files.Where(x => x.RelativePath.StartsWith(".github/")))
            WorkflowRules.Check(file.RelativePath, Workflows.Parse(file.Content));
    }

    [Fact]
    public void Dispatch_inputs_are_typed_and_reach_the_build_through_env()
    {
        var workflow = Workflow("undo");
        var inputs = workflow.Map("on").Map("workflow_dispatch").Map("inputs");
        Assert.Equal("choice", inputs.Map("stage").Text("type"));
        Assert.Equal(["qa", "live"], inputs.Map("stage").List("options").Select(x => ((YamlScalarNode)x).Value));
        Assert.Equal("true", inputs.Map("stage").Text("required"));
        Assert.Equal("string", inputs.Map("version").Text("type"));
        Assert.Equal("false", inputs.Map("version").Text("required"));

        var job = Workflows.Jobs(workflow).Single().Job;
        Assert.Equal("${{ inputs.stage }}", job.Map("environment").Text("name"));
        Assert.Equal("deploy-${{ inputs.stage }}", job.Map("concurrency").Text("group"));
        var run = Workflows.Steps(job).Single(x => x.Has("run"));
        Assert.Equal("./build.sh Undo", run.Text("run"));
        Assert.Equal("${{ inputs.stage }}", run.Map("env").Text("STAGE"));
        Assert.Equal("${{ inputs.version }}", run.Map("env").Text("VERSION"));
        Assert.Equal("${{ secrets.FEED_TOKEN }}", run.Map("env").Text("FEED_TOKEN"));
    }

    [Fact]
    public void Failure_targets_run_when_the_job_fails_and_missing_ones_are_left_out_with_a_note()
    {
        var generator = Workflows.Generate<SampleBuild>();
        var qa = Workflows.Jobs(Workflows.Parse(generator.Files.Single(x => x.RelativePath.EndsWith("release.yml")).Content)).Single(x => x.Id == "qa").Job;
        var announce = Workflows.Steps(qa).Single(x => x.Text("run")?.StartsWith("./build.sh Announce") == true);
        Assert.Equal("failure()", announce.Text("if"));
        Assert.Equal("./build.sh Announce --stage qa", announce.Text("run"));
        Assert.DoesNotContain(Workflows.Steps(qa), x => x.Text("run")?.Contains("Missing") == true);
        Assert.Contains(generator.Notes, x => x.Contains("'Missing'"));
        Assert.Contains(generator.Notes, x => x.Contains("'Images'"));   // optional target of the build job, not in the class
    }

    [Fact]
    public void Terraform_jobs_set_up_terraform_and_apply_downloads_the_saved_plan()
    {
        var jobs = Workflows.Jobs(Workflow("infra")).ToDictionary(x => x.Id, x => x.Job);
        foreach (var job in jobs.Values)
        {
            var setup = Workflows.Steps(job).Single(x => x.Text("uses")?.StartsWith("hashicorp/setup-terraform@") == true);
            Assert.Equal("false", setup.Map("with").Text("terraform_wrapper"));
        }
        var download = Workflows.Steps(jobs["apply"]).Single(x => x.Text("uses")?.StartsWith("actions/download-artifact@") == true);
        Assert.Equal("plan-TerraformPlan", download.Map("with").Text("name"));
        Assert.Equal("artifacts/terraform", download.Map("with").Text("path"));
        Assert.DoesNotContain(Workflows.Steps(Workflows.Jobs(Workflow("checks")).Single().Job), x => x.Text("uses")?.StartsWith("hashicorp/") == true);
    }

    [Fact]
    public void Setup_steps_come_from_the_repository()
    {
        var steps = Workflows.Steps(Workflows.Jobs(Workflow("checks")).Single().Job);
        Assert.Equal("global.json", steps.Single(x => x.Text("uses")?.StartsWith("actions/setup-dotnet@") == true).Map("with").Text("global-json-file"));
        var node = steps.Single(x => x.Text("uses")?.StartsWith("actions/setup-node@") == true).Map("with");
        Assert.Equal("npm", node.Text("cache"));
        Assert.Equal("src/web/package-lock.json\ntools/package-lock.json\n", node.Text("cache-dependency-path"));
    }

    [Fact]
    public void Every_action_is_pinned_by_full_commit_sha_from_the_one_table()
    {
        var pinned = ActionPins.All.ToDictionary(x => x.Action, x => x.Commit);
        foreach (var file in Workflows.Generate<SampleBuild>().Files.Where(x => x.RelativePath.StartsWith(".github/")))
        foreach (var line in file.Content.Split('\n').Where(x => x.TrimStart().StartsWith("uses: ")))
        {
            var reference = line.Trim()["uses: ".Length..].Split(" # ")[0];
            var (action, commit) = (reference.Split('@')[0], reference.Split('@')[1]);
            Assert.Matches("^[0-9a-f]{40}$", commit);
            Assert.Equal(pinned[action], commit);
            Assert.Matches(@" # v\d+\.\d+\.\d+$", line);
        }
    }

    [Fact]
    public async Task Generated_workflows_pass_actionlint()
    {
        var folder = Path.Combine(Path.GetTempPath(), "meshhook-actionlint-" + Guid.NewGuid().ToString("N"), ".github", "workflows");
        Directory.CreateDirectory(folder);
        try
        {
            var files = new List<string>();
            foreach (var file in Workflows.Generate<SampleBuild>().Files.Where(x => x.RelativePath.StartsWith(".github/")))
            {
                var path = Path.Combine(folder, Path.GetFileName(file.RelativePath));
                await File.WriteAllTextAsync(path, file.Content, TestContext.Current.CancellationToken);
                files.Add(path);
            }
            var (clean, report) = await Workflows.LintAsync(files, TestContext.Current.CancellationToken);
            Assert.True(clean, report);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(folder))!, recursive: true);
        }
    }

    [Fact]
    public async Task Actionlint_reports_an_expression_inside_run()
    {
        // The check can fail: the script injection the generator avoids is exactly what actionlint reports.
        var path = Path.Combine(Path.GetTempPath(), "meshhook-actionlint-" + Guid.NewGuid().ToString("N") + ".yml");
        await File.WriteAllTextAsync(path, "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.head_commit.message }}\"\n",
            TestContext.Current.CancellationToken);
        try
        {
            var (clean, report) = await Workflows.LintAsync([path], TestContext.Current.CancellationToken);
            Assert.False(clean);
            Assert.Contains("potentially untrusted", report);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>The rules of a generated workflow, checked on the sample's and on the repository's committed files.</summary>
internal static class WorkflowRules
{
    public static void Check(string file, YamlMappingNode workflow)
    {
        var top = workflow.Map("permissions");
        Assert.True(top.Children.Count == 1 && top.Text("contents") == "read", $"{file}: top-level permissions must be contents: read only");
        foreach (var (id, job) in Workflows.Jobs(workflow))
        {
            var where = $"{file}, job {id}";
            foreach (var step in Workflows.Steps(job).Where(x => x.Has("run")))
                Assert.False(step.Text("run")!.Contains("${{"), $"{where}: an expression inside run: ({step.Text("run")}); pass it through env:");
            if (job.Has("permissions"))
            {
                Assert.Equal("read", job.Map("permissions").Text("contents"));
                if (job.Map("permissions").Text("deployments") == "write")
                    Assert.True(job.Has("environment"), $"{where}: deployments: write without an environment");
            }
            if (!job.Has("environment"))
            {
                Assert.False(Workflows.Steps(job).Any(x => x.Text("uses")?.StartsWith("azure/login@") == true), $"{where}: signs in to Azure without an environment");
                continue;
            }
            var environment = job.Map("environment").Text("name")!;
            var concurrency = job.Map("concurrency");
            Assert.Equal(WorkflowGenerator.ConcurrencyGroup(environment), concurrency.Text("group"));
            Assert.Equal("false", concurrency.Text("cancel-in-progress"));
            Assert.Equal("write", job.Map("permissions").Text("id-token"));
            Assert.Equal("write", job.Map("permissions").Text("deployments"));
        }
    }
}
