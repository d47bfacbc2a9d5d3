namespace MeshHook.Build.Engine.Tests;

public sealed class ExecutionTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    class Skips : RecordingBuild
    {
        Target Restore => _ => _.Executes(Record(nameof(Restore)));
        Target Compile => _ => _.DependsOn(Restore).Executes(Record(nameof(Compile)));
        Target Test => _ => _.DependsOn(Compile).Executes(Record(nameof(Test)));
        Target Lint => _ => _.DependsOn(Restore).Executes(Record(nameof(Lint)));
        Target All => _ => _.DependsOn(Test, Lint);
    }

    [Fact]
    public void Skip_parameter_skips_the_target_and_cascades_to_dependencies_nothing_else_needs()
    {
        var result = _harness.Run<Skips>("Test", "--skip", "Compile", "--max-parallel", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Test"], result.Build!.RanList);
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Compile"));
        Assert.Equal("Skipped: via parameter", result.Target("Compile").Note);
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Restore"));
        Assert.Contains("// Skipped: via parameter", result.Output);
    }

    [Fact]
    public void A_dependency_still_needed_by_another_scheduled_target_is_not_cascaded()
    {
        var result = _harness.Run<Skips>("All", "--skip", "Compile", "--max-parallel", "1");

        Assert.Equal(ExecutionStatus.Succeeded, result.Status("Restore"));
        Assert.Equal(["Restore", "Test", "Lint"], result.Build!.RanList);
    }

    [Fact]
    public void A_bare_skip_skips_every_target_that_was_not_invoked()
    {
        var result = _harness.Run<Skips>("Test", "--skip", "--max-parallel", "1");

        Assert.Equal(["Test"], result.Build!.RanList);
        Assert.All(["Restore", "Compile"], x => Assert.Equal(ExecutionStatus.Skipped, result.Status(x)));
    }

    [Fact]
    public void Several_skipped_targets_are_joined_with_plus()
    {
        var result = _harness.Run<Skips>("All", "--skip", "Test+Lint", "--max-parallel", "1");

        Assert.Empty(result.Build!.Ran);
        Assert.Equal(ExecutionStatus.Collective, result.Status("All"));
    }

    [Fact]
    public void Skipping_an_unknown_target_is_an_error()
    {
        var result = _harness.Run<Skips>("Test", "--skip", "Compiel");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Did you mean 'Compile'?", result.Output);
    }

    class SkipExecute : RecordingBuild
    {
        Target Restore => _ => _.Executes(Record(nameof(Restore)));
        Target Compile => _ => _.DependsOn(Restore).WhenSkipped(DependencyBehavior.Execute).Executes(Record(nameof(Compile)));
        Target All => _ => _.DependsOn(Compile); // --skip does not skip invoked targets: skip Compile under another one
    }

    [Fact]
    public void WhenSkipped_Execute_keeps_the_dependencies_running()
    {
        var result = _harness.Run<SkipExecute>("All", "--skip", "Compile");

        Assert.Equal(["Restore"], result.Build!.RanList);
    }

    class Conditions : RecordingBuild
    {
        public bool PublishAllowed { get; set; }
        public bool DeployAllowed { get; set; } = true;
        public List<string> Events { get; } = [];

        Target Restore => _ => _.Executes(() => { Events.Add("run Restore"); DeployAllowed = false; });

        Target Pack => _ => _.DependsOn(Restore).Executes(Record(nameof(Pack)));

        Target Publish => _ => _
            .DependsOn(Pack)
            .OnlyWhenStatic(() => Check("static Publish", PublishAllowed))
            .Executes(Record(nameof(Publish)));

        Target Deploy => _ => _
            .DependsOn(Restore)
            .OnlyWhenDynamic(() => Check("dynamic Deploy", DeployAllowed))
            .Executes(Record(nameof(Deploy)));

        bool Check(string name, bool value)
        {
            Events.Add(name);
            return value;
        }
    }

    [Fact]
    public void Static_conditions_are_checked_before_anything_runs_and_skip_cascades()
    {
        var result = _harness.Run<Conditions>("Publish", "--max-parallel", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["static Publish"], result.Build!.Events);
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Publish"));
        Assert.Equal("OnlyWhen: Check(\"static Publish\", PublishAllowed)", result.Target("Publish").Note);
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Pack"));
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Restore"));
        Assert.Contains("// OnlyWhen: Check(\"static Publish\", PublishAllowed)", result.Output);
    }

    [Fact]
    public void Dynamic_conditions_are_checked_right_before_the_target_after_its_dependencies_ran()
    {
        var result = _harness.Run<Conditions>("Deploy", "--max-parallel", "1");

        Assert.Equal(["run Restore", "dynamic Deploy"], result.Build!.Events);
        Assert.Equal(ExecutionStatus.Succeeded, result.Status("Restore"));
        Assert.Equal(ExecutionStatus.Skipped, result.Status("Deploy"));
    }

    class Requirements : RecordingBuild
    {
        [Parameter] readonly string? ApiKey;
        [Parameter] readonly bool Confirmed;

        Target First => _ => _.Executes(Record(nameof(First)));
        Target Publish => _ => _.DependsOn(First).Requires(() => ApiKey).Executes(Record(nameof(Publish)));
        Target Destroy => _ => _.DependsOn(First).Requires(() => Confirmed).Executes(Record(nameof(Destroy)));
    }

    [Fact]
    public void A_required_member_without_value_fails_before_anything_runs()
    {
        var result = _harness.Run<Requirements>("Publish");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Target 'Publish' requires 'ApiKey' to be set", result.Output);
        Assert.Empty(result.Build!.Ran);
    }

    [Fact]
    public void A_required_condition_that_does_not_hold_fails_before_anything_runs()
    {
        var result = _harness.Run<Requirements>("Destroy");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Target 'Destroy' requires: Confirmed", result.Output);
        Assert.Empty(result.Build!.Ran);

        Assert.Equal(0, _harness.Run<Requirements>("Destroy", "--confirmed").ExitCode);
        Assert.Equal(0, _harness.Run<Requirements>("Publish", "--api-key", "k").ExitCode);
    }

    class Failures : RecordingBuild
    {
        Target Restore => _ => _.Executes(Record(nameof(Restore)));
        Target Compile => _ => _.DependsOn(Restore).Executes(() => throw new InvalidOperationException("compiler exploded"));
        Target Lint => _ => _.DependsOn(Restore).ProceedAfterFailure().Executes(() => throw new TargetFailedException("lint found 3 problems"));
        Target Docs => _ => _.DependsOn(Restore).Executes(Record(nameof(Docs)));
        Target Test => _ => _.DependsOn(Compile).Executes(Record(nameof(Test)));
        Target Report => _ => _.AssuredAfterFailure().After(Test, Docs, Lint).Executes(Record(nameof(Report)));
        Target Everything => _ => _.DependsOn(Test, Docs, Report);
        Target LintThenDocs => _ => _.DependsOn(Lint, Docs, Report);
    }

    [Fact]
    public void A_failure_stops_the_build_the_rest_is_NotRun_and_assured_targets_still_run()
    {
        var result = _harness.Run<Failures>("Everything", "--max-parallel", "1");

        Assert.Equal(BuildRunner.Failure, result.ExitCode);
        Assert.Equal(ExecutionStatus.Failed, result.Status("Compile"));
        Assert.Equal(ExecutionStatus.NotRun, result.Status("Test"));
        Assert.Equal(ExecutionStatus.NotRun, result.Status("Docs"));
        Assert.Equal(ExecutionStatus.Succeeded, result.Status("Report"));
        Assert.Equal(["Restore", "Report"], result.Build!.RanList);
        Assert.Contains("Target Compile failed: InvalidOperationException: compiler exploded", result.Output);
        Assert.Contains("Build failed on", result.Output);
    }

    [Fact]
    public void ProceedAfterFailure_lets_the_build_go_on_but_it_still_fails()
    {
        var result = _harness.Run<Failures>("LintThenDocs", "--max-parallel", "1");

        Assert.Equal(BuildRunner.Failure, result.ExitCode);
        Assert.Equal(ExecutionStatus.Failed, result.Status("Lint"));
        Assert.Equal(ExecutionStatus.Succeeded, result.Status("Docs"));
        Assert.Contains("Target Lint failed: lint found 3 problems", result.Output);
        Assert.DoesNotContain("TargetFailedException", result.Output);
    }

    class Cancellable : RecordingBuild
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        Target Long => _ => _.Executes(async () =>
        {
            Started.SetResult();
            await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken);
        });

        Target After => _ => _.DependsOn(Long).Executes(Record(nameof(After)));
        Target Cleanup => _ => _.AssuredAfterFailure().After(After).Executes(() => Ran.Enqueue("Cleanup:" + CancellationToken.IsCancellationRequested));
    }

    [Fact]
    public async Task Ctrl_C_aborts_the_running_target_and_assured_targets_still_run()
    {
        using var cancellation = new CancellationTokenSource();
        var build = new Cancellable();
        var run = Task.Run(() => _harness.Run<Cancellable>(new RunOptions { CancellationToken = cancellation.Token, Factory = () => build },
            "After", "Cleanup", "--max-parallel", "1"), TestContext.Current.CancellationToken);
        await build.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        cancellation.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(BuildRunner.Cancelled, result.ExitCode);
        Assert.Equal(ExecutionStatus.Aborted, result.Status("Long"));
        Assert.Equal(ExecutionStatus.NotRun, result.Status("After"));
        Assert.Equal(["Cleanup:False"], build.RanList);
    }

    class Hooks : NukeBuild
    {
        public List<string> Events { get; } = [];
        Target A => _ => _.Executes(() => Events.Add("A"));
        Target B => _ => _.DependsOn(A).OnlyWhenDynamic(() => false).Executes(() => { });
        Target C => _ => _.DependsOn(B).Executes(() => throw new TargetFailedException("no"));

        protected override void OnBuildCreated() => Events.Add("created");
        protected override void OnBuildInitialized() => Events.Add("initialized");
        protected override void OnTargetRunning(string target) => Events.Add("running " + target);
        protected override void OnTargetSkipped(string target) => Events.Add("skipped " + target);
        protected override void OnTargetSucceeded(string target) => Events.Add("succeeded " + target);
        protected override void OnTargetFailed(string target) => Events.Add("failed " + target);
        protected override void OnBuildFinished() => Events.Add("finished " + (IsSuccessful ? "ok" : "failing"));
    }

    [Fact]
    public void Lifecycle_hooks_are_called_in_order()
    {
        var result = _harness.Run<Hooks>("C");

        Assert.Equal(["created", "initialized", "running A", "A", "succeeded A", "skipped B", "running C", "failed C", "finished failing"],
            result.Build!.Events);
    }

    class Flaky : RecordingBuild
    {
        public static int Attempts;
        Target One => _ => _.Executes(Record(nameof(One)));
        Target Two => _ => _.DependsOn(One).Executes(() =>
        {
            if (Interlocked.Increment(ref Attempts) == 1)
                throw new TargetFailedException("first attempt fails");
            Ran.Enqueue(nameof(Two));
        });
    }

    [Fact]
    public void Continue_skips_targets_that_succeeded_in_the_previous_attempt_of_the_same_invocation()
    {
        Flaky.Attempts = 0;
        var first = _harness.Run<Flaky>("Two");
        var second = _harness.Run<Flaky>("Two", "--continue");

        Assert.Equal(BuildRunner.Failure, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["Two"], second.Build!.RanList);
        Assert.Equal(ExecutionStatus.Skipped, second.Status("One"));
        Assert.Contains("succeeded in the previous attempt", second.Target("One").Note);

        // A different invocation starts over.
        var third = _harness.Run<Flaky>("Two", "--verbosity", "quiet", "--continue");
        Assert.Equal(["One", "Two"], third.Build!.RanList);
    }

    class Parallel : RecordingBuild
    {
        // Each target waits until the other has started: they can only both finish when they really run at the same
        // time. A signal, not a one-second sleep and a wall-clock budget that a busy machine can miss.
        public readonly TaskCompletionSource AStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource BStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool ASawB, BSawA;
        static readonly TimeSpan HangBound = TimeSpan.FromSeconds(30); // reached only when the targets run one after the other
        Target A => _ => _.Executes(async () => { AStarted.SetResult(); await BStarted.Task.WaitAsync(HangBound); ASawB = true; });
        Target B => _ => _.Executes(async () => { BStarted.SetResult(); await AStarted.Task.WaitAsync(HangBound); BSawA = true; });
        Target Both => _ => _.DependsOn(A, B).Executes(Record(nameof(Both)));
    }

    [Fact]
    public void Two_independent_targets_run_at_the_same_time_with_max_parallel_2()
    {
        var result = _harness.Run<Parallel>("Both", "--max-parallel", "2");

        Assert.Equal(0, result.ExitCode);
        var build = result.Build!;
        Assert.True(build.ASawB && build.BSawA, "A and B must run at the same time");
        Assert.Equal(["Both"], build.RanList);
    }

    class Sequential : RecordingBuild
    {
        int _running;
        public int MostAtOnce;
        // The pause only gives a wrong scheduler room to overlap them; a right one passes however long anything takes.
        async Task Run()
        {
            var now = Interlocked.Increment(ref _running);
            lock (this)
                MostAtOnce = Math.Max(MostAtOnce, now);
            await Task.Delay(100);
            Interlocked.Decrement(ref _running);
        }

        Target A => _ => _.Executes(Run);
        Target B => _ => _.Executes(Run);
        Target Both => _ => _.DependsOn(A, B).Executes(Record(nameof(Both)));
    }

    [Fact]
    public void With_max_parallel_1_independent_targets_run_one_after_the_other()
    {
        var result = _harness.Run<Sequential>("Both", "--max-parallel", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, result.Build!.MostAtOnce);
    }

    class Chatty : NukeBuild
    {
        Target Alpha => _ => _.Executes(() => Talk("alpha"));
        Target Beta => _ => _.Executes(() => Talk("beta"));
        Target Both => _ => _.DependsOn(Alpha, Beta);

        static async Task Talk(string word)
        {
            for (var i = 0; i < 200; i++)
            {
                Log.Information($"{word}-{i}-{new string(word[0], 40)}-end");
                if (i % 20 == 0)
                    await Task.Yield();
            }
        }
    }

    [Fact]
    public void Output_of_parallel_targets_never_interleaves_inside_a_line_and_is_prefixed_with_the_target()
    {
        var result = _harness.Run<Chatty>("Both", "--max-parallel", "2");

        var lines = result.Output.Split('\n').Where(x => x.Contains("-end")).ToList();
        Assert.Equal(400, lines.Count);
        Assert.All(lines, line => Assert.Matches(@"^(Alpha \| alpha-\d+-a{40}-end|Beta  \| beta-\d+-b{40}-end)$", line));
    }

    [Fact]
    public void Exit_codes_are_0_on_success_1_on_failure_2_on_bad_invocation()
    {
        Assert.Equal(0, _harness.Run<Failures>("Docs").ExitCode);
        Assert.Equal(1, _harness.Run<Failures>("Compile").ExitCode);
        Assert.Equal(2, _harness.Run<Failures>("Nope").ExitCode);
        Assert.Equal(0, _harness.Run<Failures>("--help").ExitCode);
        Assert.Equal(0, _harness.Run<Failures>("--plan", "Everything").ExitCode);
    }
}
