namespace MeshHook.Build.Engine.Tests;

public sealed class PlanningTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    class Chain : RecordingBuild
    {
        Target Restore => _ => _.Executes(Record(nameof(Restore)));
        Target Compile => _ => _.DependsOn(Restore).Executes(Record(nameof(Compile)));
        Target Lint => _ => _.Executes(Record(nameof(Lint)));
        Target Test => _ => _.DependsOn(Compile).Executes(Record(nameof(Test)));
        Target Pack => _ => _.DependsOn(Test, Lint).Executes(Record(nameof(Pack)));
        Target BuildWorkers => _ => _.Executes(Record(nameof(BuildWorkers)));
    }

    [Fact]
    public void Plan_is_the_invoked_target_and_its_transitive_dependencies_in_topological_order()
    {
        var result = _harness.Run<Chain>("Test", "--max-parallel", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Restore", "Compile", "Test"], result.Plan);
        Assert.Equal(["Restore", "Compile", "Test"], result.Build!.RanList);
    }

    [Fact]
    public void Ties_are_broken_by_declaration_order()
    {
        var result = _harness.Run<Chain>("Pack", "--max-parallel", "1");

        // Restore and Lint are both ready first: Restore is declared before Lint.
        Assert.Equal(["Restore", "Compile", "Lint", "Test", "Pack"], result.Plan);
    }

    [Theory]
    [InlineData("build-workers")]
    [InlineData("BUILDWORKERS")]
    [InlineData("BuildWorkers")]
    [InlineData("build_workers")]
    public void Target_names_match_case_insensitively_without_dashes(string name)
    {
        var result = _harness.Run<Chain>(name);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["BuildWorkers"], result.Build!.RanList);
    }

    [Fact]
    public void Several_targets_are_joined_with_plus_or_given_positionally_or_with_target()
    {
        Assert.Equal(["Lint", "BuildWorkers"], _harness.Run<Chain>("Lint+BuildWorkers", "--max-parallel", "1").Build!.RanList);
        Assert.Equal(["Lint", "BuildWorkers"], _harness.Run<Chain>("Lint", "BuildWorkers", "--max-parallel", "1").Build!.RanList);
        Assert.Equal(["Lint", "BuildWorkers"], _harness.Run<Chain>("--target", "Lint", "BuildWorkers", "--max-parallel", "1").Build!.RanList);
    }

    [Fact]
    public void Default_target_runs_when_none_is_given()
    {
        var result = _harness.Run<Chain>(new RunOptions { DefaultTargets = ["Compile"] });

        Assert.Equal(["Restore", "Compile"], result.Build!.RanList);
    }

    [Fact]
    public void Unknown_target_fails_with_the_list_and_the_closest_match_and_runs_nothing()
    {
        var result = _harness.Run<Chain>("Tset");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Unknown target 'Tset'", result.Output);
        Assert.Contains("Did you mean 'Test'?", result.Output);
        Assert.Contains("Restore, Compile, Lint, Test, Pack, BuildWorkers", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("  ")]
    [InlineData("Lint++Test")]
    [InlineData("Lint+")]
    [InlineData("+Lint")]
    public void An_empty_target_name_is_an_error_naming_it_and_nothing_runs(string given)
    {
        var result = _harness.Run<Chain>(new RunOptions { DefaultTargets = ["Compile"] }, given);

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains($"Empty target name in '{given}'", result.Output);
        Assert.Contains("Targets: Restore, Compile, Lint, Test, Pack, BuildWorkers.", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    [Theory]
    [InlineData("--target", "")]
    [InlineData("--target", "Lint+")]
    [InlineData("--target", "Lint", "")]
    [InlineData("--plan", "")]
    public void An_empty_target_name_given_to_an_option_is_an_error(params string[] args)
    {
        var result = _harness.Run<Chain>(new RunOptions { DefaultTargets = ["Compile"] }, args);

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Empty target name in '", result.Output);
        Assert.Contains("Targets: Restore, Compile, Lint, Test, Pack, BuildWorkers.", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    [Fact]
    public void A_bare_target_option_is_an_error_not_the_default_target()
    {
        var result = _harness.Run<Chain>(new RunOptions { DefaultTargets = ["Compile"] }, "--target");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("--target needs a target name", result.Output);
        Assert.Contains("Targets: Restore, Compile, Lint, Test, Pack, BuildWorkers.", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    class Triggers : RecordingBuild
    {
        Target Deploy => _ => _.Triggers(Notify).Executes(Record(nameof(Deploy)));
        Target Notify => _ => _.Triggers(Announce).Executes(Record(nameof(Notify)));
        Target Announce => _ => _.Executes(Record(nameof(Announce)));
        Target Audit => _ => _.TriggeredBy(Deploy).Executes(Record(nameof(Audit)));
        Target Unrelated => _ => _.Executes(Record(nameof(Unrelated)));
    }

    [Fact]
    public void Triggers_are_followed_to_a_fixpoint_and_run_after_their_trigger()
    {
        var result = _harness.Run<Triggers>("Deploy", "--max-parallel", "1");

        Assert.Equal(["Deploy", "Notify", "Announce", "Audit"], result.Plan);
        Assert.Equal(result.Plan, result.Build!.RanList);
    }

    class Ordering : RecordingBuild
    {
        Target Clean => _ => _.Before(Restore).Executes(Record(nameof(Clean)));
        Target Restore => _ => _.Executes(Record(nameof(Restore)));
        Target Publish => _ => _.After(Verify).Executes(Record(nameof(Publish)));
        Target Verify => _ => _.Executes(Record(nameof(Verify)));
        Target Prepare => _ => _.DependentFor(Publish).Executes(Record(nameof(Prepare)));
    }

    [Fact]
    public void After_and_Before_order_scheduled_targets_without_scheduling_them()
    {
        Assert.Equal(["Restore"], _harness.Run<Ordering>("Restore").Plan);
        Assert.Equal(["Clean", "Restore"], _harness.Run<Ordering>("Restore+Clean", "--max-parallel", "1").Plan);
        Assert.Equal(["Prepare", "Publish"], _harness.Run<Ordering>("Publish").Plan);
        Assert.Equal(["Verify", "Prepare", "Publish"], _harness.Run<Ordering>("Publish", "Verify", "--max-parallel", "1").Plan);
    }

    [Fact]
    public void DependentFor_makes_the_other_target_depend_on_this_one()
    {
        var result = _harness.Run<Ordering>("Publish", "--max-parallel", "1");

        Assert.Equal(["Prepare", "Publish"], result.Build!.RanList);
    }

    class Cycle : RecordingBuild
    {
        Target A => _ => _.DependsOn(C).Executes(Record(nameof(A)));
        Target B => _ => _.DependsOn(A).Executes(Record(nameof(B)));
        Target C => _ => _.After(B).Executes(Record(nameof(C)));
        Target Free => _ => _.Executes(Record(nameof(Free)));
    }

    [Fact]
    public void A_cycle_is_an_error_that_names_the_cycle()
    {
        var result = _harness.Run<Cycle>("Free");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("cycle", result.Output);
        Assert.Contains("A -> C -> B -> A", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    class SelfReference : RecordingBuild
    {
        Target Loop => _ => _.DependsOn(Loop).Executes(Record(nameof(Loop)));
    }

    [Fact]
    public void A_target_referring_to_itself_is_an_error()
    {
        var result = _harness.Run<SelfReference>("Loop");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Target 'Loop' refers to itself", result.Output);
    }

    interface ICompileOne
    {
        Target Compile => _ => _.Executes(() => { });
    }

    interface ICompileTwo
    {
        Target Compile => _ => _.Executes(() => { });
    }

    class Duplicate : RecordingBuild, ICompileOne, ICompileTwo
    {
        Target Other => _ => _.Executes(Record(nameof(Other)));
    }

    [Fact]
    public void A_duplicate_target_name_is_an_error()
    {
        var result = _harness.Run<Duplicate>("Other");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Target 'Compile' is defined twice: in ICompileOne and in ICompileTwo", result.Output);
    }

    interface IRestore
    {
        Target Restore => _ => _.Executes(() => Ran.Add(nameof(Restore)));

        List<string> Ran { get; }
    }

    class WithInterface : NukeBuild, IRestore
    {
        public List<string> Ran { get; } = [];
        Target Compile => _ => _.DependsOn<IRestore>(x => x.Restore).Executes(() => Ran.Add(nameof(Compile)));
    }

    [Fact]
    public void Default_interface_members_are_targets_and_can_be_depended_on()
    {
        var result = _harness.Run<WithInterface>("Compile");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Restore", "Compile"], result.Build!.Ran);
    }
}
