namespace MeshHook.Build.Engine.Tests.Parity;

/// <summary>
/// The scenarios of NUKE's <c>BuildExecutorTest</c> (nuke-build/nuke, source/Nuke.Build.Tests/BuildExecutorTest.cs),
/// ported to this engine. Reconstructed: NUKE's source was not available when these were written; each test names the
/// NUKE test it ports as recalled. NUKE's fixture is a chain, C depends on B depends on A, with C invoked.
/// </summary>
public sealed class BuildExecutorParityTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>The chain, with switches a test sets through the factory before the targets are read.</summary>
    class Chain : RecordingBuild
    {
        public bool AStatic = true, BStatic = true, CStatic = true, BDynamic = true;
        public bool AFails, BFails;
        public bool BProceeds, CAssured;
        public DependencyBehavior BWhenSkipped = DependencyBehavior.Skip, CWhenSkipped = DependencyBehavior.Skip;

        Target A => _ => _.OnlyWhenStatic(() => AStatic).Executes(() => Step(nameof(A), AFails));

        Target B => _ =>
        {
            var definition = _.DependsOn(A).OnlyWhenStatic(() => BStatic).OnlyWhenDynamic(() => BDynamic)
                .WhenSkipped(BWhenSkipped).Executes(() => Step(nameof(B), BFails));
            return BProceeds ? definition.ProceedAfterFailure() : definition;
        };

        Target C => _ =>
        {
            var definition = _.DependsOn(B).OnlyWhenStatic(() => CStatic).WhenSkipped(CWhenSkipped).Executes(Record(nameof(C)));
            return CAssured ? definition.AssuredAfterFailure() : definition;
        };

        void Step(string name, bool fails)
        {
            if (fails)
                throw new TargetFailedException(name + " failed");
            Ran.Enqueue(name);
        }
    }

    BuildOutcome<Chain> Run(Action<Chain> configure, params string[] args) =>
        _harness.Run<Chain>(new RunOptions
        {
            Factory = () =>
            {
                var build = new Chain();
                configure(build);
                return build;
            },
        }, [.. args, "--max-parallel", "1"]);

    static void AssertStatuses(BuildOutcome<Chain> result, ExecutionStatus a, ExecutionStatus b, ExecutionStatus c) =>
        Assert.Equal((a, b, c), (result.Status("A"), result.Status("B"), result.Status("C")));

    // Ports BuildExecutorTest.Test: every target of the chain succeeds, in order.
    [Fact]
    public void Every_target_succeeds_in_order()
    {
        var result = Run(_ => { }, "C");

        Assert.Equal(0, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded);
        Assert.Equal(["A", "B", "C"], result.Build!.RanList);
    }

    // Ports BuildExecutorTest.TestStaticCondition: a false static condition skips the target and, by default, the
    // dependencies nothing else needs.
    [Fact]
    public void Static_condition_skips_the_target_and_its_dependencies()
    {
        var result = Run(x => x.BStatic = false, "C");

        Assert.Equal(0, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Skipped, ExecutionStatus.Skipped, ExecutionStatus.Succeeded);
        Assert.Equal(["C"], result.Build!.RanList);
    }

    // Ports BuildExecutorTest.TestStaticCondition_DependencyBehavior (Execute): WhenSkipped(Execute) keeps the
    // dependencies running.
    [Fact]
    public void Static_condition_with_WhenSkipped_Execute_runs_the_dependencies()
    {
        var result = Run(x => (x.BStatic, x.BWhenSkipped) = (false, DependencyBehavior.Execute), "C");

        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Skipped, ExecutionStatus.Succeeded);
    }

    // Ports BuildExecutorTest.TestStaticCondition (invoked target): the invoked target's own false condition skips it and
    // cascades through the whole chain.
    [Fact]
    public void Static_condition_of_the_invoked_target_skips_the_whole_chain()
    {
        var result = Run(x => x.CStatic = false, "C");

        Assert.Equal(0, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Skipped, ExecutionStatus.Skipped, ExecutionStatus.Skipped);
        Assert.Empty(result.Build!.Ran);
    }

    // Ports BuildExecutorTest.TestStaticCondition_DependencyBehavior (Execute, invoked target): the invoked target is
    // skipped, its chain runs.
    [Fact]
    public void Static_condition_of_the_invoked_target_with_WhenSkipped_Execute_runs_its_chain()
    {
        var result = Run(x => (x.CStatic, x.CWhenSkipped) = (false, DependencyBehavior.Execute), "C");

        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, ExecutionStatus.Skipped);
    }

    class Shared : RecordingBuild
    {
        public bool BStatic = true;
        Target A => _ => _.Executes(Record(nameof(A)));
        Target B => _ => _.DependsOn(A).OnlyWhenStatic(() => BStatic).Executes(Record(nameof(B)));
        Target D => _ => _.DependsOn(A).Executes(Record(nameof(D)));
        Target All => _ => _.DependsOn(B, D);
    }

    // Ports BuildExecutorTest.TestStaticCondition_Multiple (shared dependency): the cascade stops at a dependency that
    // another scheduled target still needs.
    [Fact]
    public void Cascade_stops_at_a_dependency_a_scheduled_target_still_needs()
    {
        var result = _harness.Run<Shared>(new RunOptions { Factory = () => new Shared { BStatic = false } }, "All", "--max-parallel", "1");

        Assert.Equal(ExecutionStatus.Skipped, result.Status("B"));
        Assert.Equal(["A", "D"], result.Build!.RanList);
        Assert.Equal(["A", "D"], _harness.Run<Shared>("All", "--skip", "B", "--max-parallel", "1").Build!.RanList);
    }

    // Ports BuildExecutorTest.TestDynamicCondition: a false dynamic condition skips only that target, after its
    // dependencies ran, and its dependents still run.
    [Fact]
    public void Dynamic_condition_skips_only_its_target()
    {
        var result = Run(x => x.BDynamic = false, "C");

        Assert.Equal(0, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Skipped, ExecutionStatus.Succeeded);
        Assert.Equal(["A", "C"], result.Build!.RanList);
    }

    // Ports BuildExecutorTest.TestParameterSkipped_All: a bare --skip skips every target that was not invoked.
    [Fact]
    public void Bare_skip_skips_every_target_not_invoked()
    {
        var result = Run(_ => { }, "C", "--skip");

        AssertStatuses(result, ExecutionStatus.Skipped, ExecutionStatus.Skipped, ExecutionStatus.Succeeded);
        Assert.Equal("Skipped: via parameter", result.Target("A").Note);
    }

    // Ports BuildExecutorTest.TestParameterSkipped_Single: --skip A skips A only; B and C still run.
    [Fact]
    public void Skip_of_one_target_skips_that_target()
    {
        var result = Run(_ => { }, "C", "--skip", "a");

        AssertStatuses(result, ExecutionStatus.Skipped, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded);
    }

    // Ports BuildExecutorTest.TestParameterSkipped_Multiple: --skip A B and --skip A+B.
    [Fact]
    public void Skip_of_several_targets()
    {
        AssertStatuses(Run(_ => { }, "C", "--skip", "A", "B"), ExecutionStatus.Skipped, ExecutionStatus.Skipped, ExecutionStatus.Succeeded);
        AssertStatuses(Run(_ => { }, "C", "--skip", "A+B"), ExecutionStatus.Skipped, ExecutionStatus.Skipped, ExecutionStatus.Succeeded);
    }

    // Ports BuildExecutorTest.TestParameterSkipped (invoked): NUKE never skips an invoked target through --skip, so a
    // Skip in a parameter file does not stop a target the user names. Differed here before: C was skipped and nothing ran.
    [Fact]
    public void Skip_does_not_skip_an_invoked_target_and_says_so()
    {
        var result = Run(_ => { }, "C", "--skip", "C");

        Assert.Equal(0, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded);
        Assert.Contains("--skip names C, which was invoked: it runs", result.Output);

        _harness.WriteFile(".nuke/parameters.json", """{ "Skip": ["B"] }""");
        var fromFile = Run(_ => { }, "B");
        Assert.Equal(["A", "B"], fromFile.Build!.RanList);
        Assert.Equal(ExecutionStatus.Skipped, Run(_ => { }, "C").Status("B"));
    }

    class Triggered : RecordingBuild
    {
        Target Package => _ => _.Executes(Record(nameof(Package)));
        Target Deploy => _ => _.DependsOn(Package).Triggers(Notify).Executes(Record(nameof(Deploy)));
        Target Notify => _ => _.DependsOn(Render).Executes(Record(nameof(Notify)));
        Target Render => _ => _.Executes(Record(nameof(Render)));
    }

    // Ports BuildExecutorTest.TestParameterSkipped_All with triggers: NUKE schedules triggered targets as invoked ones, so a
    // bare --skip (skip the dependencies) still runs them, e.g. `./build.sh Deploy --skip` still runs Notify. Differed
    // here before: Notify was skipped. Their own dependencies are dependencies, and are skipped.
    [Fact]
    public void Bare_skip_keeps_triggered_targets()
    {
        var result = _harness.Run<Triggered>("Deploy", "--skip", "--max-parallel", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Deploy", "Notify"], result.Build!.RanList);
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Package"));
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Render"));

        // Named explicitly, a triggered target is skipped (it was not invoked).
        var named = _harness.Run<Triggered>("Deploy", "--skip", "Notify", "--max-parallel", "1");
        Assert.Equal(["Package", "Deploy"], named.Build!.RanList);
    }

    // Ports BuildExecutorTest.TestFailure: a failing target fails the build; its dependents are NotRun.
    [Fact]
    public void A_failure_fails_the_build_and_dependents_are_NotRun()
    {
        var result = Run(x => x.BFails = true, "C");

        Assert.Equal(BuildRunner.Failure, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.NotRun);
        Assert.Contains("Build failed on", result.Output);
    }

    // Ports BuildExecutorTest.TestProceedAfterFailure: after a ProceedAfterFailure target fails, the build goes on with
    // the following targets, its dependents included, and still fails. Differed here before: C became NotRun, so
    // ProceedAfterFailure only helped targets that did not depend on the failed one (`Test.ProceedAfterFailure()` with a
    // report target depending on Test is the common use).
    [Fact]
    public void ProceedAfterFailure_runs_the_following_targets_dependents_included_and_the_build_fails()
    {
        var result = Run(x => (x.BFails, x.BProceeds) = (true, true), "C");

        Assert.Equal(BuildRunner.Failure, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.Succeeded);
        Assert.Equal(["A", "C"], result.Build!.RanList);
        Assert.Contains("Build failed on", result.Output);
    }

    // Ports BuildExecutorTest.TestAssuredAfterFailure: an assured target runs after a failure even though a dependency
    // of it failed (A) and another was NotRun (B).
    [Fact]
    public void AssuredAfterFailure_runs_even_when_its_dependencies_failed_or_did_not_run()
    {
        var result = Run(x => (x.AFails, x.CAssured) = (true, true), "C");

        Assert.Equal(BuildRunner.Failure, result.ExitCode);
        AssertStatuses(result, ExecutionStatus.Failed, ExecutionStatus.NotRun, ExecutionStatus.Succeeded);
        Assert.Equal(["C"], result.Build!.RanList);
    }

    // Ports BuildExecutorTest.TestAssuredAfterFailure (direct dependency): the assured target's own dependency failing
    // does not stop it either.
    [Fact]
    public void AssuredAfterFailure_runs_when_its_direct_dependency_failed()
    {
        var result = Run(x => (x.BFails, x.CAssured) = (true, true), "C");

        AssertStatuses(result, ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.Succeeded);
    }

    class Collective : RecordingBuild
    {
        Target A => _ => _.Executes(Record(nameof(A)));
        Target All => _ => _.DependsOn(A);
    }

    // Ports BuildExecutorTest (collective target): a target without actions completes as Collective.
    [Fact]
    public void A_target_without_actions_is_Collective()
    {
        var result = _harness.Run<Collective>("All");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ExecutionStatus.Collective, result.Status("All"));
    }

    class Flaky : RecordingBuild
    {
        public static int BAttempts;
        Target A => _ => _.Executes(Record(nameof(A)));
        Target B => _ => _.DependsOn(A).Executes(() =>
        {
            if (Interlocked.Increment(ref BAttempts) == 1)
                throw new TargetFailedException("first attempt");
            Ran.Enqueue(nameof(B));
        });
        Target C => _ => _.DependsOn(B).Executes(Record(nameof(C)));
    }

    // Ports BuildExecutorTest.TestContinue (build-attempt.log): --continue skips what succeeded in the previous attempt of
    // the same invocation; a changed invocation starts over.
    [Fact]
    public void Continue_resumes_after_the_targets_that_succeeded()
    {
        Flaky.BAttempts = 0;
        var first = _harness.Run<Flaky>("C", "--max-parallel", "1");
        var second = _harness.Run<Flaky>("C", "--max-parallel", "1", "--continue");

        Assert.Equal(BuildRunner.Failure, first.ExitCode);
        Assert.Equal(["A"], first.Build!.RanList);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["B", "C"], second.Build!.RanList);
        Assert.Equal(ExecutionStatus.Skipped, second.Status("A"));
        var log = File.ReadAllLines(Path.Combine(_harness.NukeDirectory, "temp", "build-attempt.log"));
        Assert.Equal(["A", "B", "C"], log.Skip(1));

        Assert.Equal(["A", "B", "C"], _harness.Run<Flaky>("C", "--continue").Build!.RanList);
    }
}
