using MeshHook.Build.Engine.Configuration.GitHubActions;

namespace MeshHook.Build.Engine.Tests.Configuration;

/// <summary>--generate-configuration, --check-configuration and the stale warning of a local build, run for real.</summary>
public sealed class GenerationModeTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    string Read(string relativePath) => File.ReadAllText(Path.Combine(_harness.Root, relativePath));

    [Fact]
    public void Generate_writes_every_file_and_a_second_run_changes_nothing()
    {
        var first = _harness.Run<SampleBuild>("--generate-configuration");
        Assert.Equal(BuildRunner.Success, first.ExitCode);
        foreach (var file in new[] { ".github/workflows/checks.yml", ".github/workflows/release.yml", ".github/workflows/undo.yml",
                     ".github/workflows/infra.yml", ".vscode/tasks.json", ".run/Compile.run.xml", ".run/Test.run.xml" })
            Assert.True(File.Exists(Path.Combine(_harness.Root, file)), file + "\n" + first.Output);
        Assert.False(File.Exists(Path.Combine(_harness.Root, ".run/Secret.run.xml")));   // unlisted targets get no runner
        Assert.Empty(_harness.Run<SampleBuild>().Build!.Ran());                           // generation runs no target

        var second = _harness.Run<SampleBuild>("--generate-configuration");
        Assert.Contains("are up to date", second.Output);
        Assert.Equal(BuildRunner.Success, _harness.Run<SampleBuild>("--check-configuration").ExitCode);
    }

    [Fact]
    public void Check_fails_naming_the_stale_file_and_how_to_fix_it()
    {
        _harness.Run<SampleBuild>("--generate-configuration");
        var workflow = Path.Combine(_harness.Root, ".github/workflows/release.yml");
        File.WriteAllText(workflow, Read(".github/workflows/release.yml").Replace("cancel-in-progress: false", "cancel-in-progress: true"));

        var check = _harness.Run<SampleBuild>("--check-configuration");

        Assert.Equal(BuildRunner.Failure, check.ExitCode);
        Assert.Contains(".github/workflows/release.yml", check.Output);
        Assert.Contains("./build.sh --generate-configuration", check.Output);
        Assert.Contains("cancel-in-progress: true", Read(".github/workflows/release.yml"));   // checking changes nothing
    }

    [Fact]
    public void Generated_files_of_removed_targets_and_workflows_are_deleted_and_hand_written_ones_kept()
    {
        _harness.Run<SampleBuild>("--generate-configuration");
        File.Copy(Path.Combine(_harness.Root, ".run/Compile.run.xml"), Path.Combine(_harness.Root, ".run/Gone.run.xml"));
        File.Copy(Path.Combine(_harness.Root, ".github/workflows/checks.yml"), Path.Combine(_harness.Root, ".github/workflows/gone.yml"));
        _harness.WriteFile(".github/workflows/manual.yml", "name: hand-written\n");

        Assert.Contains(".run/Gone.run.xml", _harness.Run<SampleBuild>("--check-configuration").Output);
        _harness.Run<SampleBuild>("--generate-configuration");

        Assert.False(File.Exists(Path.Combine(_harness.Root, ".run/Gone.run.xml")));
        Assert.False(File.Exists(Path.Combine(_harness.Root, ".github/workflows/gone.yml")));
        Assert.True(File.Exists(Path.Combine(_harness.Root, ".github/workflows/manual.yml")));
    }

    [Fact]
    public void A_local_build_warns_when_generated_files_are_stale_and_a_CI_build_does_not()
    {
        var local = _harness.Run<SampleBuild>("Compile");
        Assert.Equal(BuildRunner.Success, local.ExitCode);
        Assert.Contains("differ from what the build class generates", local.Output);

        _harness.Run<SampleBuild>("--generate-configuration");
        Assert.DoesNotContain("differ from what the build class generates", _harness.Run<SampleBuild>("Compile").Output);
    }

    [Fact]
    public void A_build_without_workflows_is_not_warned_about_ide_files()
    {
        var outcome = _harness.Run<NoWorkflows>("Compile");
        Assert.DoesNotContain("differ from what the build class generates", outcome.Output);
    }

    class NoWorkflows : RecordingBuild
    {
        Target Compile => _ => _.Executes(Record("Compile"));
    }

    [GitHubActions("bad", OnPushBranches = ["main"])]
    [GitHubActionsJob("bad", "one", InvokedTargets = ["Compil"])]
    class UnknownTarget : NukeBuild
    {
        Target Compile => _ => _.Executes(() => { });
    }

    [GitHubActions("bad", OnPushBranches = ["main"])]
    [GitHubActionsJob("bad", "one", InvokedTargets = [nameof(Compile)], Needs = ["two"])]
    [GitHubActionsJob("bad", "two", InvokedTargets = [nameof(Compile)], Needs = ["one"])]
    class NeedsCycle : NukeBuild
    {
        Target Compile => _ => _.Executes(() => { });
    }

    [GitHubActions("bad", OnPushBranches = ["main"])]
    [GitHubActionsJob("bad", "one", InvokedTargets = [nameof(Compile)], Arguments = ["--release", "${{ github.event.inputs.x }}"])]
    class ExpressionArgument : NukeBuild
    {
        Target Compile => _ => _.Executes(() => { });
    }

    [GitHubActions("bad", GitHubActionsImage.UbuntuLatest, OnPushBranches = ["main"], InvokedTargets = [nameof(Compile)], ImportSecrets = [nameof(Plain)])]
    class NotASecret : NukeBuild
    {
        [Parameter] readonly string? Plain;
        Target Compile => _ => _.Executes(() => { });
    }

    [Fact]
    public void Bad_declarations_are_clear_errors_and_write_nothing()
    {
        Expect<UnknownTarget>("refers to target 'Compil'", "Did you mean");
        Expect<NeedsCycle>("form a cycle: one -> two -> one");
        Expect<ExpressionArgument>("must be a plain word");
        Expect<NotASecret>("'Plain', which is not a [Secret] parameter");
        Assert.False(Directory.Exists(Path.Combine(_harness.Root, ".github")));

        void Expect<T>(params string[] parts) where T : NukeBuild, new()
        {
            var outcome = _harness.Run<T>("--generate-configuration");
            Assert.Equal(BuildRunner.InvalidInvocation, outcome.ExitCode);
            foreach (var part in parts)
                Assert.Contains(part, outcome.Output);
        }
    }
}

file static class SampleBuildExtensions
{
    /// <summary>SampleBuild's targets record nothing; a run that executed a target would have a non-empty plan status.</summary>
    public static IReadOnlyList<string> Ran(this SampleBuild build) =>
        build.ScheduledTargets.Where(x => x.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed).Select(x => x.Name).ToList();
}
