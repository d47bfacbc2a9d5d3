using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

public sealed class DeployerTests : IDisposable
{
    readonly TempDirectory _temp = new();
    readonly List<string> _log = [];

    public void Dispose() => _temp.Dispose();

    sealed record Marker(string Name) : DeployStep
    {
        public override string Describe() => Name;
    }

    sealed class RecordingRunner(string? failOn = null) : IStepRunner
    {
        public List<string> Ran { get; } = [];

        public Task RunAsync(DeployStep step, CancellationToken cancellationToken)
        {
            Ran.Add(step.Describe());
            if (step.Describe() == failOn)
                throw new UserFacingException($"{failOn} broke");
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Like the real tool runner: a step started with a cancelled token throws at once. The interrupt (Ctrl+C) arrives
    /// while step <paramref name="interruptDuring"/> runs; with <paramref name="stepDiesOfIt"/> that step's tool is
    /// killed by it (throws), else the step still completes. Steps named in <paramref name="failOn"/> fail.
    /// </summary>
    sealed class InterruptingRunner(CancellationTokenSource interrupt, string interruptDuring, bool stepDiesOfIt, string? failOn = null) : IStepRunner
    {
        public List<string> Ran { get; } = [];

        public Task RunAsync(DeployStep step, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Ran.Add(step.Describe());
            if (step.Describe() == interruptDuring)
            {
                interrupt.Cancel();
                if (stepDiesOfIt)
                    cancellationToken.ThrowIfCancellationRequested();
            }
            if (step.Describe() == failOn)
                throw new UserFacingException($"{failOn} broke");
            return Task.CompletedTask;
        }
    }

    static DeploymentPlan Plan(string? previous = "r0") => new(DeploymentKind.Deploy, "local", "r1", previous,
    [
        new Stage(Stage.Validate, [new Marker("verify")]),
        new Stage(Stage.Lock, []),
        new Stage(Stage.Migrate, [new Marker("migrate")]),
        new Stage(Stage.Start, [new Marker("start new")]),
        new Stage(Stage.HealthCheck, [new Marker("health new")]),
        new Stage(Stage.Switch, [new Marker("switch to new")]),
        new Stage(Stage.Verify, [new Marker("verify stable url")]),
        new Stage(Stage.CleanUp, [new Marker("stop old")]),
    ], [new Marker("stop new")], [new Marker("switch back"), new Marker("verify old"), new Marker("stop new")]);

    (Deployer Deployer, DeploymentJournal Journal, EnvironmentLock Lock) Create(IStepRunner runner)
    {
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), new SecretMasker());
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System);
        return (new Deployer(journal, environmentLock, runner, TimeProvider.System, new DeploymentLog(_log.Add, x => _log.Add("warn: " + x))), journal, environmentLock);
    }

    static DeploymentRequest Request => new("tester", "abc", TimeSpan.Zero);

    [Fact]
    public async Task A_successful_deploy_runs_every_stage_in_order_journals_each_and_releases_the_lock()
    {
        var runner = new RecordingRunner();
        var (deployer, journal, environmentLock) = Create(runner);

        var result = await deployer.RunAsync(Plan(), Request, TestContext.Current.CancellationToken);

        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Equal(["verify", "migrate", "start new", "health new", "switch to new", "verify stable url", "stop old"], runner.Ran);
        var record = Assert.Single(journal.ReadDeployments());
        Assert.Equal(Outcomes.Succeeded, record.Outcome);
        Assert.Equal(["lock", "migrate", "start", "health check", "switch", "verify", "clean up"], record.Stages.Select(x => x.Stage));
        Assert.All(record.Stages, x => Assert.NotNull(x.DurationMs));
        Assert.Equal(("tester", "abc", "r0"), (record.Start.Actor, record.Start.Commit, record.Start.PreviousRelease));
        Assert.Null(environmentLock.ReadHolder());
    }

    [Fact]
    public async Task A_failure_in_validation_changes_nothing_no_lock_no_journal()
    {
        var (deployer, journal, environmentLock) = Create(new RecordingRunner(failOn: "verify"));

        await Assert.ThrowsAsync<UserFacingException>(() => deployer.RunAsync(Plan(), Request, TestContext.Current.CancellationToken));

        Assert.False(File.Exists(journal.Path));
        Assert.Null(environmentLock.ReadHolder());
    }

    [Theory]
    [InlineData("migrate", "migrate")]
    [InlineData("health new", "health check")]
    public async Task A_failure_before_the_switch_stops_the_new_release_and_the_old_one_keeps_serving(string failing, string stage)
    {
        var runner = new RecordingRunner(failOn: failing);
        var (deployer, journal, environmentLock) = Create(runner);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => deployer.RunAsync(Plan(), Request, TestContext.Current.CancellationToken));

        Assert.Equal(Outcomes.Failed, error.Outcome);
        Assert.Equal(stage, error.Stage);
        Assert.Contains("r0 kept serving", error.Message);
        Assert.Equal("stop new", runner.Ran[^1]);
        Assert.DoesNotContain("switch to new", runner.Ran);
        var record = Assert.Single(journal.ReadDeployments());
        Assert.Equal((Outcomes.Failed, $"{failing} broke"), (record.Outcome, record.Finish!.Error));
        Assert.Null(environmentLock.ReadHolder());
    }

    [Fact]
    public async Task A_failed_verification_after_the_switch_rolls_back_automatically_and_is_journaled_as_rolled_back()
    {
        var runner = new RecordingRunner(failOn: "verify stable url");
        var (deployer, journal, _) = Create(runner);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => deployer.RunAsync(Plan(), Request, TestContext.Current.CancellationToken));

        Assert.Equal(Outcomes.RolledBack, error.Outcome);
        Assert.Contains("rolled back automatically to r0", error.Message);
        Assert.Equal(["switch back", "verify old", "stop new"], runner.Ran.TakeLast(3));
        Assert.Equal(Outcomes.RolledBack, journal.ReadDeployments().Single().Outcome);
    }

    [Fact]
    public async Task A_failing_clean_up_is_a_warning_the_deploy_still_succeeds()
    {
        var (deployer, journal, _) = Create(new RecordingRunner(failOn: "stop old"));

        var result = await deployer.RunAsync(Plan(), Request, TestContext.Current.CancellationToken);

        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Contains(_log, x => x.StartsWith("warn: Clean-up after the deploy failed", StringComparison.Ordinal));
        Assert.Equal(Outcomes.Failed, journal.ReadDeployments().Single().Stages.Single(x => x.Stage == Stage.CleanUp).Outcome);
    }

    [Fact]
    public async Task An_unfinished_deployment_left_by_a_killed_run_is_closed_as_aborted_by_the_next_one()
    {
        var (deployer, journal, _) = Create(new RecordingRunner());
        journal.Append(new JournalEntry { Type = JournalEntryTypes.Started, DeploymentId = "d-killed", At = DateTimeOffset.UnixEpoch, Kind = "deploy", Release = "r0" });
        journal.Append(new JournalEntry { Type = JournalEntryTypes.Stage, DeploymentId = "d-killed", At = DateTimeOffset.UnixEpoch, Stage = "migrate", Outcome = "succeeded" });

        await deployer.RunAsync(Plan(), Request, TestContext.Current.CancellationToken);

        var killed = journal.ReadDeployments().First();
        Assert.Equal((Outcomes.Aborted, "migrate"), (killed.Outcome, killed.Finish!.Stage));
        Assert.Contains(_log, x => x.Contains("d-killed") && x.Contains("closing it as aborted"));
    }

    [Theory]
    [InlineData("migrate", true, "migrate")]
    [InlineData("start new", true, "start")]
    [InlineData("health new", true, "health check")]
    // The last step before the switch completes, the interrupt is seen at the switch: it must not switch.
    [InlineData("health new", false, "switch")]
    public async Task An_interrupt_before_the_switch_stops_the_new_release_keeps_the_old_and_is_journaled_as_cancelled(
        string interruptDuring, bool stepDiesOfIt, string stage)
    {
        using var interrupt = new CancellationTokenSource();
        var runner = new InterruptingRunner(interrupt, interruptDuring, stepDiesOfIt);
        var (deployer, journal, environmentLock) = Create(runner);

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deployer.RunAsync(Plan(), Request, interrupt.Token));

        Assert.IsNotType<DeploymentFailedException>(error);
        Assert.Contains("r0 kept serving throughout", error.Message);
        Assert.DoesNotContain("switch to new", runner.Ran);
        Assert.DoesNotContain("switch back", runner.Ran);
        Assert.Equal("stop new", runner.Ran[^1]); // the recovery ran although the token was cancelled
        var record = Assert.Single(journal.ReadDeployments());
        Assert.Equal(Outcomes.Cancelled, record.Outcome);
        Assert.Equal($"cancelled at '{stage}' before the switch", record.Finish!.Error);
        Assert.Equal(Outcomes.Cancelled, record.Stages.Single(x => x.Stage == stage).Outcome);
        Assert.Equal(Outcomes.Succeeded, record.Stages.Single(x => x.Stage == "recover").Outcome);
        Assert.Null(environmentLock.ReadHolder());
    }

    [Theory]
    [InlineData("switch to new", true)]
    [InlineData("switch to new", false)]
    [InlineData("verify stable url", true)]
    public async Task An_interrupt_after_the_switch_finishes_verifying_and_the_new_release_stays(string interruptDuring, bool stepDiesOfIt)
    {
        using var interrupt = new CancellationTokenSource();
        var runner = new InterruptingRunner(interrupt, interruptDuring, stepDiesOfIt);
        var (deployer, journal, environmentLock) = Create(runner);

        var result = await deployer.RunAsync(Plan(), Request, interrupt.Token);

        Assert.True(interrupt.IsCancellationRequested);
        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Equal(["verify", "migrate", "start new", "health new", "switch to new", "verify stable url", "stop old"], runner.Ran);
        Assert.Equal(Outcomes.Succeeded, Assert.Single(journal.ReadDeployments()).Outcome);
        Assert.Contains(_log, x => x.Contains("Interrupted after the switch: r1 was verified and stays live"));
        Assert.Null(environmentLock.ReadHolder());
    }

    [Fact]
    public async Task An_interrupt_after_the_switch_with_a_failing_verification_rolls_back_to_the_end()
    {
        using var interrupt = new CancellationTokenSource();
        var runner = new InterruptingRunner(interrupt, "switch to new", stepDiesOfIt: false, failOn: "verify stable url");
        var (deployer, journal, _) = Create(runner);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => deployer.RunAsync(Plan(), Request, interrupt.Token));

        Assert.Equal(Outcomes.RolledBack, error.Outcome);
        Assert.Equal(["switch back", "verify old", "stop new"], runner.Ran.TakeLast(3));
        Assert.Equal(Outcomes.RolledBack, journal.ReadDeployments().Single().Outcome);
    }
}
