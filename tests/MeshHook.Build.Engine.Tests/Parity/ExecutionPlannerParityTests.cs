namespace MeshHook.Build.Engine.Tests.Parity;

/// <summary>
/// The scenarios of NUKE's <c>ExecutionPlannerTest</c> (nuke-build/nuke, source/Nuke.Build.Tests/ExecutionPlannerTest.cs),
/// ported to this engine. Reconstructed: NUKE's source was not available when these were written, so each test names the
/// NUKE test it ports as recalled, and asserts what this engine promises (engine-surface.md) where the two agree.
/// </summary>
public sealed class ExecutionPlannerParityTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    IReadOnlyList<string> Plan<T>(params string[] args) where T : RecordingBuild, new()
    {
        var result = _harness.Run<T>([.. args, "--plan"]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Plan;
    }

    // C depends on B depends on A: NUKE's fixture.
    class Chain : RecordingBuild
    {
        Target A => _ => _.Executes(Record(nameof(A)));
        Target B => _ => _.DependsOn(A).Executes(Record(nameof(B)));
        Target C => _ => _.DependsOn(B).Executes(Record(nameof(C)));
    }

    // Ports ExecutionPlannerTest.TestDefault: no target given, the default and its dependencies run.
    [Fact]
    public void Default_target_is_planned_with_its_dependencies()
    {
        var result = _harness.Run<Chain>(new RunOptions { DefaultTargets = ["C"] }, "--max-parallel", "1");

        Assert.Equal(["A", "B", "C"], result.Plan);
        Assert.Equal(["A", "B", "C"], result.Build!.RanList);
        Assert.True(result.Target("C").Invoked);
    }

    // Ports ExecutionPlannerTest.TestInvokedTargets: an invoked target replaces the default; only its dependencies join.
    [Fact]
    public void Invoked_target_replaces_the_default()
    {
        var result = _harness.Run<Chain>(new RunOptions { DefaultTargets = ["C"] }, "B", "--max-parallel", "1");

        Assert.Equal(["A", "B"], result.Plan);
        Assert.False(result.Target("A").Invoked);
        Assert.True(result.Target("B").Invoked);
    }

    // Ports ExecutionPlannerTest.TestInvokedTargets (several, duplicates): a target named twice, or named and also a
    // dependency of another named one, is planned once, after its dependencies.
    [Fact]
    public void A_target_invoked_twice_or_also_a_dependency_is_planned_once()
    {
        Assert.Equal(["A", "B", "C"], Plan<Chain>("C", "A"));
        Assert.Equal(["A", "B", "C"], Plan<Chain>("C+A+C"));
        Assert.Equal(["A", "B"], Plan<Chain>("b", "B"));
    }

    class Cycles : RecordingBuild
    {
        Target A => _ => _.DependsOn(B).Executes(Record(nameof(A)));
        Target B => _ => _.DependsOn(A).Executes(Record(nameof(B)));
        Target Free => _ => _.Executes(Record(nameof(Free)));
    }

    // Ports ExecutionPlannerTest.TestCircularDependencies: a cycle is an error naming the targets in it, even when the
    // invoked target is not part of it (NUKE checks the whole graph first).
    [Fact]
    public void A_cycle_is_an_error_naming_its_targets_whatever_is_invoked()
    {
        var result = _harness.Run<Cycles>("Free");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("The targets form a cycle: A -> B -> A.", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    class OrderCycle : RecordingBuild
    {
        Target A => _ => _.After(C).Executes(Record(nameof(A)));
        Target B => _ => _.TriggeredBy(A).Executes(Record(nameof(B)));
        Target C => _ => _.DependsOn(B).Executes(Record(nameof(C)));
    }

    // Ports ExecutionPlannerTest.TestCircularDependencies (mixed edges): order and trigger relations take part in cycles.
    [Fact]
    public void Order_and_trigger_relations_take_part_in_cycles()
    {
        var result = _harness.Run<OrderCycle>("A");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("The targets form a cycle: A -> C -> B -> A.", result.Output);
    }

    class Triggers : RecordingBuild
    {
        Target Setup => _ => _.Executes(Record(nameof(Setup)));
        Target A => _ => _.Triggers(B).Executes(Record(nameof(A)));
        Target B => _ => _.DependsOn(Setup).Executes(Record(nameof(B)));
        Target C => _ => _.TriggeredBy(B).Executes(Record(nameof(C)));
        Target D => _ => _.Executes(Record(nameof(D)));
    }

    // Ports ExecutionPlannerTest.TestTriggers / TestTriggeredBy: Triggers and TriggeredBy schedule the other target after
    // this one, to a fixpoint, with the triggered target's own dependencies.
    [Fact]
    public void Triggered_targets_are_planned_after_their_trigger_with_their_dependencies_to_a_fixpoint()
    {
        var plan = Plan<Triggers>("A");

        Assert.Equal(["Setup", "A", "B", "C"], plan);
        Assert.Equal(["D"], Plan<Triggers>("D"));
        Assert.Equal(["Setup", "B", "C"], Plan<Triggers>("B"));
    }

    // Ports ExecutionPlannerTest.TestTriggers (not invoked): a target that triggers another is not scheduled by it.
    [Fact]
    public void Being_triggered_by_a_target_does_not_schedule_that_target()
    {
        Assert.Equal(["C"], Plan<Triggers>("C"));
    }

    class Ordering : RecordingBuild
    {
        // Declared in reverse so that declaration order alone would give the wrong answer.
        Target C => _ => _.After(B).Executes(Record(nameof(C)));
        Target B => _ => _.After(A).Executes(Record(nameof(B)));
        Target A => _ => _.Executes(Record(nameof(A)));
        Target E => _ => _.Executes(Record(nameof(E)));
        Target D => _ => _.Before(E).Executes(Record(nameof(D)));
    }

    // Ports ExecutionPlannerTest.TestOrderDependencies: After/Before order two scheduled targets and schedule nothing.
    [Fact]
    public void After_and_Before_order_scheduled_targets_and_schedule_nothing()
    {
        Assert.Equal(["C"], Plan<Ordering>("C"));
        Assert.Equal(["B", "C"], Plan<Ordering>("C", "B"));
        Assert.Equal(["D", "E"], Plan<Ordering>("E", "D"));
    }

    // Ports ExecutionPlannerTest.TestOrderDependencies (transitive): NUKE orders over the whole target graph, so C.After(B)
    // and B.After(A) put A before C even when B is not scheduled. Differed here before: only edges between two scheduled
    // targets counted, and declaration order put C first.
    [Fact]
    public void Order_relations_are_transitive_through_targets_that_are_not_scheduled()
    {
        Assert.Equal(["A", "C"], Plan<Ordering>("C", "A"));
        Assert.Equal(["A", "C"], Plan<Ordering>("C+A"));
    }

    class TransitiveAtRuntime : RecordingBuild
    {
        public readonly TaskCompletionSource CStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ExecutionStatus StatusOfASeenByC;

        Target C => _ => _.After(B).Executes(() =>
        {
            CStarted.TrySetResult();
            StatusOfASeenByC = ScheduledTargets.Single(x => x.Name == nameof(A)).Status;
        });

        Target B => _ => _.After(A).Executes(Record(nameof(B)));

        // A waits a moment for C to start: C may only start after A, so a correct engine lets A time out and finish.
        Target A => _ => _.Executes(async () =>
        {
            try { await CStarted.Task.WaitAsync(TimeSpan.FromMilliseconds(500)); }
            catch (TimeoutException) { }
        });
    }

    // The same transitive order holds when targets run in parallel: C does not start before A is done.
    [Fact]
    public void Transitive_order_holds_when_targets_run_in_parallel()
    {
        var result = _harness.Run<TransitiveAtRuntime>("C", "A", "--max-parallel", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ExecutionStatus.Succeeded, result.Build!.StatusOfASeenByC);
    }

    class Unrelated : RecordingBuild
    {
        Target First => _ => _.Executes(Record(nameof(First)));
        Target Second => _ => _.Executes(Record(nameof(Second)));
        Target Third => _ => _.DependsOn(First).Executes(Record(nameof(Third)));
    }

    // Ports ExecutionPlannerTest (ordering of unrelated targets). NUKE's order for targets no relation orders falls out of
    // its graph traversal (and its --strict switch rejects such plans); ours is declaration order, on purpose.
    [Fact]
    public void Targets_no_relation_orders_run_in_declaration_order()
    {
        Assert.Equal(["First", "Second", "Third"], Plan<Unrelated>("Third", "Second"));
        Assert.Equal(["First", "Second"], Plan<Unrelated>("Second", "First"));
    }

    // Ports ExecutionPlannerTest.TestUnknownTarget: an unknown name is an error listing the targets.
    [Fact]
    public void An_unknown_invoked_target_is_an_error_listing_the_targets()
    {
        var result = _harness.Run<Chain>("D");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Unknown target 'D'.", result.Output);
        Assert.Contains("Targets: A, B, C.", result.Output);
    }
}
