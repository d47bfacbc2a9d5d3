using System.Text.RegularExpressions;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Reliability.Faults;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>
/// The Deployer's two tiers of observers: the journal (always, first) and required participants (the reliability
/// harness's faults), whose failures are the deploy's, then best-effort listeners (the notifiers), which only ever warn.
/// </summary>
public sealed partial class DeploymentObserverTests : IDisposable
{
    readonly TempDirectory _temp = new();
    readonly List<string> _log = [];

    public void Dispose() => _temp.Dispose();

    static CancellationToken Token => TestContext.Current.CancellationToken;

    sealed record Marker(string Name) : DeployStep
    {
        public override string Describe() => Name;
    }

    /// <summary>Runs steps like the real runner does with a token (a cancelled one throws at once); interrupts during one.</summary>
    sealed class Runner(string? failOn = null, CancellationTokenSource? interrupt = null, string? interruptDuring = null) : IStepRunner
    {
        public List<string> Ran { get; } = [];

        public Task RunAsync(DeployStep step, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Ran.Add(step.Describe());
            if (step.Describe() == interruptDuring)
                interrupt!.Cancel();
            return step.Describe() == failOn ? throw new UserFacingException($"{failOn} broke") : Task.CompletedTask;
        }
    }

    static DeploymentPlan Plan => new(DeploymentKind.Deploy, "local", "r1", "r0",
    [
        new Stage(Stage.Lock, []),
        new Stage(Stage.Migrate, [new Marker("migrate")]),
        new Stage(Stage.Start, [new Marker("start new")]),
        new Stage(Stage.HealthCheck, [new Marker("health new")]),
        new Stage(Stage.Switch, [new Marker("switch to new")]),
        new Stage(Stage.Verify, [new Marker("verify stable url"), new Marker("verify again")]),
        new Stage(Stage.CleanUp, [new Marker("stop old")]),
    ], [new Marker("stop new")], [new Marker("switch back"), new Marker("verify old")]);

    static DeploymentRequest Request => new("tester", "abc", TimeSpan.Zero) { Override = "hotfix approved by ops" };

    EnvironmentLock Lock => new(_temp.Combine("deploy.lock"), TimeProvider.System);

    DeploymentJournal NewJournal() => new(_temp.Combine("journal.jsonl"), new SecretMasker());

    Deployer Create(IDeploymentJournal journal, IStepRunner runner, IReadOnlyList<IDeploymentObserver>? participants = null,
        IReadOnlyList<IDeploymentObserver>? observers = null, TimeProvider? time = null) =>
        new(journal, Lock, runner, time ?? TimeProvider.System, new DeploymentLog(_log.Add, x => _log.Add("warn: " + x)))
        {
            Participants = participants ?? [], Observers = observers ?? [], ObserverTimeout = TimeSpan.FromSeconds(1),
        };

    /// <summary>Writes each event it hears into a shared list, with what the journal held at that moment.</summary>
    sealed class Recording(string name, List<string> events, DeploymentJournal? journal = null) : IDeploymentObserver
    {
        void Add(string what) => events.Add($"{name}: {what}" + (journal is null ? "" : $" [journal: {Last()}]"));

        string Last() => journal!.ReadEntries() is { Count: > 0 } entries ? $"{entries[^1].Type} {entries[^1].Stage ?? entries[^1].Outcome}".Trim() : "empty";

        public Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) { Add("started"); return Task.CompletedTask; }
        public Task StageStartingAsync(StageStarting stage, CancellationToken cancellationToken) { Add($"{stage.Stage} starting"); return Task.CompletedTask; }
        public Task StepFinishedAsync(StepFinished step, CancellationToken cancellationToken) { Add($"{step.Stage} step {step.Index}"); return Task.CompletedTask; }
        public Task StageFinishedAsync(StageFinished stage, CancellationToken cancellationToken) { Add($"{stage.Stage} {stage.Outcome}"); return Task.CompletedTask; }
        public Task RecoveryFinishedAsync(StageFinished recovery, CancellationToken cancellationToken) { Add($"{recovery.Stage} {recovery.Outcome}"); return Task.CompletedTask; }
        public Task WarningAsync(DeploymentWarning warning, CancellationToken cancellationToken) { Add($"warning {warning.Kind}"); return Task.CompletedTask; }
        public Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) { Add($"finished {finished.Outcome}"); return Task.CompletedTask; }
    }

    /// <summary>A journal on a file whose writes fail from the entry <paramref name="failAt"/> matches on (a full disk, a lost blob lease).</summary>
    sealed class FailingJournal(DeploymentJournal inner, Func<JournalEntry, bool> failAt) : IDeploymentJournal
    {
        bool _broken;

        public string Location => inner.Location;

        public Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
        {
            _broken |= failAt(entry);
            return _broken ? throw new IOException($"No space left on device writing {inner.Location}") : inner.AppendAsync(entry, cancellationToken);
        }

        public Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken) =>
            inner.ReadEntriesAsync(warnings, cancellationToken);
    }

    [Fact]
    public async Task The_journal_records_each_event_before_the_participants_and_they_before_the_listeners()
    {
        var journal = NewJournal();
        var events = new List<string>();

        await Assert.ThrowsAsync<DeploymentFailedException>(() => Create(journal, new Runner(failOn: "verify stable url"),
            [new Recording("chaos", events, journal)], [new Recording("notifier", events, journal)]).RunAsync(Plan, Request, Token));

        string[] expected =
        [
            "started [journal: stage lock]",
            "migrate starting [journal: stage lock]", "migrate step 0 [journal: stage lock]", "migrate succeeded [journal: stage migrate]",
            "start starting [journal: stage migrate]", "start step 0 [journal: stage migrate]", "start succeeded [journal: stage start]",
            "health check starting [journal: stage start]", "health check step 0 [journal: stage start]", "health check succeeded [journal: stage health check]",
            "switch starting [journal: stage health check]", "switch step 0 [journal: stage health check]", "switch succeeded [journal: stage switch]",
            "verify starting [journal: stage switch]", "verify failed [journal: stage verify]",
            "warning AutomaticRollback [journal: stage verify]", "warning MigrationNotUndone [journal: stage verify]",
            "recover succeeded [journal: stage recover]", "finished rolled_back [journal: finished rolled_back]",
        ];
        // Every event: the journal has it already, the participant hears it, then the listener.
        Assert.Equal(expected.SelectMany(x => new[] { "chaos: " + x, "notifier: " + x }), events);
    }

    [Fact]
    public async Task The_journal_entries_keep_their_shape_for_the_report_status_recovery_and_notify_from_journal()
    {
        var journal = NewJournal();

        await Assert.ThrowsAsync<DeploymentFailedException>(() => Create(journal, new Runner(failOn: "verify stable url")).RunAsync(Plan, Request, Token));

        var lines = File.ReadAllLines(journal.Path).Select(x => Volatile().Replace(x, "$1\"…\"")).Select(x => Duration().Replace(x, "\"durationMs\":0"));
        string Stage(string name, string outcome = "succeeded", string? error = null) =>
            $$"""{"type":"stage","deploymentId":"…","at":"…","stage":"{{name}}","startedAt":"…","durationMs":0,"outcome":"{{outcome}}"{{(error is null ? "" : $",\"error\":\"{error}\"")}}}""";
        Assert.Equal(
        [
            """{"type":"started","deploymentId":"…","at":"…","kind":"deploy","environment":"local","release":"r1","previousRelease":"r0","actor":"tester","commit":"abc","override":"hotfix approved by ops"}""",
            Stage("lock"), Stage("migrate"), Stage("start"), Stage("health check"), Stage("switch"), Stage("verify", "failed", "verify stable url broke"),
            Stage("recover"),
            """{"type":"finished","deploymentId":"…","at":"…","outcome":"rolled_back","error":"verify stable url broke"}""",
        ], lines);
        var record = Assert.Single(journal.ReadDeployments());
        // startedAt is when each stage began (the duration ends about when the entry is written), not a default.
        Assert.All(record.Stages, x => Assert.InRange((x.At - x.StartedAt!.Value).TotalMilliseconds - x.DurationMs!.Value, -1, 1000));
        Assert.True(record.Start.At <= record.Stages[0].At && record.Stages[0].At <= record.Finish!.At);
    }

    [GeneratedRegex("(\"(?:deploymentId|at|startedAt)\":)\"[^\"]+\"")]
    private static partial Regex Volatile();

    [GeneratedRegex("\"durationMs\":\\d+")]
    private static partial Regex Duration();

    [Fact]
    public async Task A_journal_that_cannot_record_the_start_fails_the_deploy_before_any_step_and_nobody_is_told_it_started()
    {
        var events = new List<string>();
        var runner = new Runner();
        var journal = new FailingJournal(NewJournal(), x => x.Type == JournalEntryTypes.Started);

        var error = await Assert.ThrowsAsync<IOException>(() => Create(journal, runner, observers: [new Recording("notifier", events)]).RunAsync(Plan, Request, Token));

        Assert.Contains("No space left on device", error.Message);
        Assert.Empty(runner.Ran);
        Assert.Empty(events);
        Assert.Null(Lock.ReadHolder());
    }

    [Fact]
    public async Task A_journal_that_cannot_record_the_outcome_fails_the_deploy_and_the_notifiers_never_hear_an_outcome_it_lacks()
    {
        var events = new List<string>();
        var inner = NewJournal();
        var journal = new FailingJournal(inner, x => x.Type == JournalEntryTypes.Finished);

        var error = await Assert.ThrowsAsync<IOException>(() => Create(journal, new Runner(), observers: [new Recording("notifier", events)]).RunAsync(Plan, Request, Token));

        Assert.Contains("No space left on device", error.Message);
        Assert.Equal("notifier: clean up succeeded", events[^1]); // told what the journal holds, no "succeeded" it does not
        Assert.True(Assert.Single(inner.ReadDeployments()).IsOpen); // the next run closes it as aborted, as after a kill
        Assert.DoesNotContain(_log, x => x.Contains("could not handle", StringComparison.Ordinal));
        Assert.Null(Lock.ReadHolder());
    }

    /// <summary>Holds every journal write from the one <paramref name="holdAt"/> matches on until the test lets it go.</summary>
    sealed class SlowJournal(DeploymentJournal inner, Func<JournalEntry, bool> holdAt) : IDeploymentJournal
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Location => inner.Location;

        public async Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
        {
            if (holdAt(entry))
            {
                Entered.TrySetResult();
                await Release.Task;
            }
            await inner.AppendAsync(entry, cancellationToken);
        }

        public Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken) =>
            inner.ReadEntriesAsync(warnings, cancellationToken);
    }

    [Fact]
    public async Task A_slow_journal_is_waited_for_never_timed_out_like_a_notifier()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var events = new List<string>();
        var inner = NewJournal();
        var journal = new SlowJournal(inner, x => x.Type == JournalEntryTypes.Started);
        var run = Create(journal, new Runner(), observers: [new Recording("notifier", events)], time: time).RunAsync(Plan, Request, Token);

        await journal.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);
        time.Advance(TimeSpan.FromMinutes(10)); // far past the observers' 1 s bound
        Assert.False(run.IsCompleted);
        Assert.Empty(events);
        journal.Release.SetResult();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60), Token);

        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Equal("notifier: started", events[0]);
        Assert.Equal(Outcomes.Succeeded, Assert.Single(inner.ReadDeployments()).Outcome);
        Assert.DoesNotContain(_log, x => x.Contains("could not handle", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("migrate:fail", "migrate", "migrate", "injected fault: migrate fails", Outcomes.Failed)]
    [InlineData("migration", "migrate", "migrate", "injected fault: a migration fails (ERROR: division by zero)", Outcomes.Failed)]
    [InlineData("unhealthy", "health check", "health new", "injected fault: the new release reports status 'down' on /health", Outcomes.Failed)]
    [InlineData("verify:fail", "verify", "verify stable url", "injected fault: verify fails", Outcomes.RolledBack)]
    public async Task An_injected_fault_fails_its_stage_as_a_failing_step_would(string fault, string stage, string firstStep, string message, string outcome)
    {
        var journal = NewJournal();
        var runner = new Runner();
        var injector = FaultInjector.FromEnvironment(new Dictionary<string, string> { [FaultInjector.Variable] = fault, [FaultInjector.Switch] = "enabled" })!;
        var events = new List<string>();
        var deployer = Create(journal, runner, [injector], [new Recording("notifier", events)]);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => deployer.RunAsync(Plan, Request, Token));

        Assert.Equal((outcome, stage), (error.Outcome, error.Stage));
        var record = Assert.Single(journal.ReadDeployments());
        var failed = record.Stages.Single(x => x.Outcome == Outcomes.Failed);
        Assert.Equal((stage, message), (failed.Stage, failed.Error));
        Assert.Equal((outcome, message), (record.Outcome, record.Finish!.Error));
        Assert.DoesNotContain(firstStep, runner.Ran); // failed as the stage started, before its first step
        Assert.Equal(outcome == Outcomes.RolledBack ? ["switch back", "verify old"] : ["stop new"], runner.Ran.TakeLast(outcome == Outcomes.RolledBack ? 2 : 1));
        Assert.Contains($"notifier: {stage} failed", events); // the notifiers hear it as any stage's failure, with no warning about the injector
        Assert.DoesNotContain(_log, x => x.Contains("could not handle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_injected_hang_after_the_switch_still_ends_on_the_deploys_token_and_rolls_back()
    {
        using var interrupt = new CancellationTokenSource();
        var journal = NewJournal();
        // Ctrl+C during the switch: the switch's step still completes (no token from the switch on), then verify hangs.
        var runner = new Runner(interrupt: interrupt, interruptDuring: "switch to new");
        var deployer = Create(journal, runner, [new FaultInjector(Stage.Verify, FaultKind.Hang)]);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => deployer.RunAsync(Plan, Request, interrupt.Token).WaitAsync(TimeSpan.FromSeconds(60), Token));

        Assert.Equal((Outcomes.RolledBack, Stage.Verify), (error.Outcome, error.Stage));
        Assert.Equal(["switch to new", "switch back", "verify old"], runner.Ran.TakeLast(3));
        Assert.Equal("it was cancelled", Assert.Single(journal.ReadDeployments()).Finish!.Error);
    }

    [Fact]
    public async Task An_injected_hang_before_the_switch_ends_on_the_token_as_a_cancelled_deploy()
    {
        using var interrupt = new CancellationTokenSource();
        var journal = NewJournal();
        var runner = new Runner(interrupt: interrupt, interruptDuring: "start new");
        var deployer = Create(journal, runner, [new FaultInjector(Stage.HealthCheck, FaultKind.Hang)]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deployer.RunAsync(Plan, Request, interrupt.Token).WaitAsync(TimeSpan.FromSeconds(60), Token));

        var record = Assert.Single(journal.ReadDeployments());
        Assert.Equal((Outcomes.Cancelled, "cancelled at 'health check' before the switch"), (record.Outcome, record.Finish!.Error));
        Assert.DoesNotContain("health new", runner.Ran);
    }

    [Fact]
    public async Task A_participant_that_throws_is_the_deploys_failure_while_a_listener_that_throws_is_a_warning()
    {
        var journal = NewJournal();
        var runner = new Runner();

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() =>
            Create(journal, runner, [new ThrowsOnStep(Stage.Start)]).RunAsync(Plan, Request, Token));
        var result = await Create(journal, new Runner(), observers: [new ThrowsOnStep(Stage.Start)]).RunAsync(Plan, Request, Token);

        Assert.Equal((Outcomes.Failed, Stage.Start), (error.Outcome, error.Stage));
        Assert.Equal("participant broke after step 0 of start", journal.ReadDeployments()[0].Finish!.Error);
        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Contains(_log, x => x == "warn: ThrowsOnStep could not handle 'step 1 of start' (participant broke after step 0 of start); the deploy goes on.");
    }

    sealed class ThrowsOnStep(string stage) : IDeploymentObserver
    {
        public Task StepFinishedAsync(StepFinished step, CancellationToken cancellationToken) =>
            step.Stage == stage ? throw new InvalidOperationException($"participant broke after step {step.Index} of {stage}") : Task.CompletedTask;
    }
}
