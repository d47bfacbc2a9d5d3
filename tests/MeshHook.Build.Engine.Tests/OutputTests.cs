using MeshHook.Build.Engine.Parameters;
using MeshHook.Build.Engine.Planning;
using Snapshooter.Xunit3;

namespace MeshHook.Build.Engine.Tests;

public sealed class OutputTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    class Documented : NukeBuild
    {
        [Parameter("Flavor of the day")] readonly Flavor Flavor;
        [Parameter("Feed token"), Secret] readonly string? FeedToken;
        [Parameter("Tags to apply")] readonly string[] Tags = [];
        [Parameter("How many times")] readonly int Retries;
        [Parameter("Dry run")] readonly bool DryRun;

        Target Restore => _ => _.Description("Restores packages").Executes(() => { });
        Target Compile => _ => _.Description("Compiles").DependsOn(Restore).Executes(() => { });
        Target Hidden => _ => _.Unlisted().Executes(() => { });
        Target Test => _ => _.DependsOn(Compile).Executes(() => { });
    }

    [Fact]
    public void Schema_lists_targets_parameters_descriptions_and_enum_values()
    {
        var build = new Documented();
        var context = _harness; // the schema needs no running build: it is a function of targets and parameters
        BuildContextScope.Run(context, () =>
        {
            var graph = TargetGraph.Create(build);
            var parameters = ParameterDescriptor.FromBuildType(typeof(Documented)).Concat(BuiltInOptions.All).ToList();
            Snapshot.Match(BuildSchema.Generate(graph.Targets, parameters));
        });
    }

    [Fact]
    public void Schema_is_written_on_first_run_and_rewritten_only_when_it_changes()
    {
        var schema = Path.Combine(_harness.NukeDirectory, "build.schema.json");
        _harness.Run<Documented>("Restore");
        Assert.True(File.Exists(schema));
        Assert.Contains("\"Restore\"", File.ReadAllText(schema));

        var written = File.GetLastWriteTimeUtc(schema);
        File.SetLastWriteTimeUtc(schema, written.AddMinutes(-5));
        _harness.Run<Documented>("Restore");
        Assert.Equal(written.AddMinutes(-5), File.GetLastWriteTimeUtc(schema));

        // A stale schema (e.g. after targets changed) is regenerated.
        File.WriteAllText(schema, "{}");
        File.Delete(Path.Combine(_harness.NukeDirectory, "temp", "schema.stamp"));
        _harness.Run<Documented>("Restore");
        Assert.Contains("\"FeedToken\"", File.ReadAllText(schema));
    }

    [Fact]
    public void Summary_table_matches_the_snapshot()
    {
        var summary = new BuildSummary(
        [
            new BuildSummary.Row("Restore", ExecutionStatus.Succeeded, TimeSpan.FromSeconds(2.4), null),
            new BuildSummary.Row("Compile", ExecutionStatus.Skipped, null, "Skipped: via parameter"),
            new BuildSummary.Row("Lint", ExecutionStatus.Skipped, null, "OnlyWhen: IsServerBuild"),
            new BuildSummary.Row("Test", ExecutionStatus.Failed, TimeSpan.FromMilliseconds(400), null),
            new BuildSummary.Row("Pack", ExecutionStatus.NotRun, null, null),
            new BuildSummary.Row("All", ExecutionStatus.Collective, TimeSpan.FromSeconds(75), null),
        ], TimeSpan.FromSeconds(83), Succeeded: false, new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

        Snapshot.Match(summary.ToText() + "\n" + summary.ToMarkdown());
    }

    [Fact]
    public void Help_lists_targets_with_descriptions_and_dependencies_and_parameters()
    {
        var result = _harness.Run<Documented>(new RunOptions { DefaultTargets = ["Test"] }, "--help");

        Assert.Equal(0, result.ExitCode);
        Snapshot.Match(result.Output);
    }

    [Fact]
    public void Plan_prints_the_ordered_plan_without_running()
    {
        var result = _harness.Run<Documented>("--plan", "Test", "--skip", "Restore");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("""
               1. Restore  (Skipped: via parameter)
               2. Compile  (after Restore)
               3. Test     (after Compile; invoked)
            """.Replace("\r\n", "\n"), result.Output);
    }

    class Actions : NukeBuild
    {
        [Parameter, Secret] readonly string? Token;
        Target Ok => _ => _.Executes(() => Log.Information($"token is {Token}"));
        Target Warn => _ => _.Executes(() => Log.Warning("careful 50%"));
        Target Broken => _ => _.DependsOn(Ok, Warn).Executes(() => throw new TargetFailedException("line one\nline two"));
    }

    [Fact]
    public void GitHub_Actions_host_groups_targets_annotates_failures_masks_secrets_and_writes_the_step_summary()
    {
        var summaryFile = Path.Combine(_harness.Root, "step-summary.md");
        _harness.Environment["GITHUB_ACTIONS"] = "true";
        _harness.Environment["GITHUB_STEP_SUMMARY"] = summaryFile;

        var result = _harness.Run<Actions>("Broken", "--token", "s3cr3t-token", "--max-parallel", "1");

        Assert.Equal(BuildRunner.Failure, result.ExitCode);
        var output = result.Output;
        var mask = output.IndexOf("::add-mask::s3cr3t-token", StringComparison.Ordinal);
        Assert.True(mask >= 0, output);
        Assert.Equal(1, CountOf(output, "s3cr3t-token"));
        Assert.True(mask < output.IndexOf("::group::Ok", StringComparison.Ordinal), "the mask must come before any output");
        Assert.Contains("token is ***", output);
        Assert.Contains("::endgroup::", output);
        Assert.Contains("::warning::careful 50%25", output);
        Assert.Contains("::error title=Target Broken failed::line one%0Aline two", output);
        var markdown = File.ReadAllText(summaryFile);
        Assert.Contains("| Broken | Failed |", markdown);
        Assert.Contains("❌ Build failed", markdown);
    }

    [Fact]
    public void GitHub_Actions_host_buffers_parallel_targets_into_whole_groups()
    {
        _harness.Environment["GITHUB_ACTIONS"] = "true";

        var result = _harness.Run<Actions>("Ok+Warn", "--max-parallel", "2");

        var lines = result.Output.Split('\n');
        var okGroup = Array.IndexOf(lines, "::group::Ok");
        Assert.True(okGroup >= 0, result.Output);
        Assert.Equal("token is ", lines[okGroup + 1][..9]);
        Assert.Equal("::endgroup::", lines[okGroup + 2]);
    }

    static int CountOf(string text, string value) => (text.Length - text.Replace(value, string.Empty).Length) / value.Length;
}
