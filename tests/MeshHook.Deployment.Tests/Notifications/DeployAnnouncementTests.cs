using System.Text.Json;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Notifications;
using MeshHook.Deployment.Notifications.Email;
using MeshHook.Deployment.Notifications.Slack;
using MeshHook.Deployment.Notifications.Webhook;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;
using WireMock.Server;
using WireMock.Settings;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace MeshHook.Deployment.Tests.Notifications;

/// <summary>The Deployer's observers: announcements of start and outcome on every channel, and observers that never change the outcome.</summary>
public sealed class DeployAnnouncementTests : IDisposable
{
    static readonly HttpClient Http = new();
    readonly TempDirectory _temp = new();
    readonly WireMockServer _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{SmtpReceiver.FreePort()}"] });
    readonly List<string> _log = [];

    public void Dispose()
    {
        _server.Stop();
        _temp.Dispose();
    }

    sealed record Marker(string Name) : DeployStep
    {
        public override string Describe() => Name;
    }

    sealed class Runner(string? failOn) : IStepRunner
    {
        public Task RunAsync(DeployStep step, CancellationToken cancellationToken) =>
            step.Describe() == failOn ? throw new UserFacingException($"{failOn} broke, token={Samples.Canary}") : Task.CompletedTask;
    }

    static DeploymentPlan Plan => new(DeploymentKind.Deploy, "production", "r2", "r1",
    [
        new Stage(Stage.Lock, []),
        new Stage(Stage.Migrate, [new Marker("migrate")]),
        new Stage(Stage.Start, [new Marker("start new")]),
        new Stage(Stage.Switch, [new Marker("switch to new")]),
        new Stage(Stage.Verify, [new Marker("verify stable url")]),
    ], [new Marker("stop new")], [new Marker("switch back"), new Marker("verify old")]);

    Deployer Deployer(string? failOn, IReadOnlyList<IDeploymentObserver> observers, DeploymentJournal journal, TimeSpan? observerTimeout = null) =>
        new(journal, new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System), new Runner(failOn), TimeProvider.System,
            new DeploymentLog(_log.Add, x => _log.Add("warn: " + x)))
        {
            Observers = observers, ObserverTimeout = observerTimeout ?? TimeSpan.FromSeconds(60),
        };

    [Fact]
    public async Task A_deploy_that_fails_after_the_switch_is_announced_started_failed_and_rolled_back_on_every_channel()
    {
        _server.Given(Request.Create().UsingPost()).AtPriority(10).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost()).AtPriority(5)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 7, "sha": "c2", "ref": "c2", "environment": "production" }"""));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost().WithBody(new WireMock.Matchers.WildcardMatcher("*\"c1\"*"))).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 8, "sha": "c1", "ref": "c1", "environment": "production" }"""));
        await using var smtp = new SmtpReceiver();
        var masker = Samples.Masker();
        const string secret = "whsec-deploy-test-5678";
        masker.Register(secret);
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), masker);
        // The previous release's deploy, so its commit is known for the GitHub rollback deployment.
        journal.Append(new JournalEntry { Type = JournalEntryTypes.Started, DeploymentId = "d-old", At = DateTimeOffset.UtcNow, Kind = "deploy", Environment = "production", Release = "r1", Actor = "a", Commit = "c1" });
        journal.Append(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = "d-old", At = DateTimeOffset.UtcNow, Outcome = Outcomes.Succeeded });
        var warnings = new List<string>();
        var dispatcher = Samples.Dispatcher([
            new SlackNotifier(new SlackOptions(new Uri(_server.Url + "/slack")), Http, masker, TimeProvider.System),
            new WebhookNotifier(new WebhookOptions(new Uri(_server.Url + "/hook"), secret), Http, masker, TimeProvider.System),
            new EmailNotifier(EmailOptions.Parse(smtp.Url, "ops@example.com", null, "test"), masker),
            new Deployment.Notifications.GitHub.GitHubNotifier(new("o", "r", "ghp_token_x", new Uri(_server.Url + "/")), masker, TimeSpan.FromSeconds(10)),
        ], warnings, masker);
        var announcer = new DeploymentAnnouncer(dispatcher, journal, _ => null, new AnnouncementLinks(new Uri("https://meshhook.example.com")), TimeProvider.System, DeploymentLog.Silent);

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() =>
            Deployer("verify stable url", [announcer], journal).RunAsync(Plan, new DeploymentRequest("octocat", "c2", TimeSpan.Zero), TestContext.Current.CancellationToken));

        Assert.Equal(Outcomes.RolledBack, failure.Outcome);
        Assert.Empty(warnings);
        string[] expected = ["STARTED", "WARNING", "WARNING", "FAILED", "ROLLED BACK"]; // the two warnings: automatic rollback, migrations stay
        Assert.Equal(expected, Bodies("/slack").Select(x => JsonDocument.Parse(x).RootElement.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()!.Split(" production ")[1]));
        Assert.Equal(["deployment.started", "deployment.warning", "deployment.warning", "deployment.failed", "deployment.rolled_back"],
            Bodies("/hook").Select(x => JsonDocument.Parse(x).RootElement.GetProperty("event").GetString()));
        for (var i = 0; i < 5; i++)
            Assert.True(await smtp.Received.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(["STARTED", "WARNING", "WARNING", "FAILED", "ROLLED BACK"], smtp.Messages.Select(x => x.Subject!.Split(" r2 ")[1]));
        var states = _server.LogEntries.Where(x => x.RequestMessage.Path.EndsWith("/statuses", StringComparison.Ordinal))
            .Select(x => x.RequestMessage.Path.Split('/')[^2] + ":" + JsonDocument.Parse(x.RequestMessage.Body!).RootElement.GetProperty("state").GetString());
        Assert.Equal(["7:in_progress", "7:failure", "8:in_progress", "8:success", "7:inactive"], states);
        Assert.DoesNotContain(_server.LogEntries, x => x.RequestMessage.Body?.Contains(Samples.Canary, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(smtp.Messages, x => x.ToString().Contains(Samples.Canary, StringComparison.Ordinal));
    }

    IEnumerable<string> Bodies(string path) => _server.LogEntries.Where(x => x.RequestMessage.Path == path).Select(x => x.RequestMessage.Body!);

    sealed class Throwing : IDeploymentObserver
    {
        public Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) => throw new InvalidOperationException("observer broke");
        public Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) => throw new InvalidOperationException("observer broke");
    }

    sealed class Hanging : IDeploymentObserver
    {
        public Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, CancellationToken.None);
    }

    sealed class Recording : IDeploymentObserver
    {
        public List<string> Events { get; } = [];
        public Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) { Events.Add("started " + started.ReleaseId); return Task.CompletedTask; }
        public Task StageFinishedAsync(StageFinished stage, CancellationToken cancellationToken) { Events.Add($"{stage.Stage} {stage.Outcome}"); return Task.CompletedTask; }
        public Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) { Events.Add("finished " + finished.Outcome); return Task.CompletedTask; }
        public Task WarningAsync(DeploymentWarning warning, CancellationToken cancellationToken) { Events.Add($"warning {warning.Kind}: {warning.Message}"); return Task.CompletedTask; }
    }

    [Fact]
    public async Task Warnings_the_caller_found_before_the_run_are_told_to_observers_right_after_the_start()
    {
        var recording = new Recording();
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), new SecretMasker());
        var deployer = new Deployer(journal, new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System), new Runner(null), TimeProvider.System, DeploymentLog.Silent)
        {
            Observers = [recording], Warnings = [(DeploymentWarningKind.MigrationNotUndone, "Applied since r1 and staying: 2_more.sql.")],
        };

        await deployer.RunAsync(Plan, new DeploymentRequest("octocat", "c2", TimeSpan.Zero), TestContext.Current.CancellationToken);

        Assert.Equal(["started r2", "warning MigrationNotUndone: Applied since r1 and staying: 2_more.sql.", "migrate succeeded"], recording.Events.Take(3));
    }

    [Fact]
    public async Task Observers_that_throw_or_hang_become_warnings_and_the_deploy_still_succeeds()
    {
        var recording = new Recording();
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), new SecretMasker());

        var result = await Deployer(null, [new Throwing(), new Hanging(), recording], journal, TimeSpan.FromMilliseconds(300))
            .RunAsync(Plan, new DeploymentRequest("octocat", "c2", TimeSpan.Zero), TestContext.Current.CancellationToken);

        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Equal(["started r2", "migrate succeeded", "start succeeded", "switch succeeded", "verify succeeded", "finished succeeded"], recording.Events);
        Assert.Contains(_log, x => x.StartsWith("warn: Throwing could not handle 'started' (observer broke)", StringComparison.Ordinal));
        Assert.Contains(_log, x => x.StartsWith("warn: Hanging could not handle 'started' (took longer than 0.3 s)", StringComparison.Ordinal));
        Assert.Equal(Outcomes.Succeeded, journal.ReadDeployments().Single().Outcome);
    }

    [Fact]
    public async Task A_channel_that_is_down_costs_at_most_its_timeout_and_the_deploy_succeeds_with_a_journaled_warning()
    {
        var masker = Samples.Masker();
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), masker);
        var warnings = new List<string>();
        var down = new SlackNotifier(new SlackOptions(new Uri($"http://127.0.0.1:{SmtpReceiver.FreePort()}/down")), Http, masker, TimeProvider.System);
        var announcer = new DeploymentAnnouncer(Samples.Dispatcher([down], warnings, masker, policy: new DeliveryPolicy { Timeout = TimeSpan.FromSeconds(2), Attempts = 2, Backoff = TimeSpan.FromMilliseconds(10) }),
            journal, _ => null, new AnnouncementLinks(), TimeProvider.System, DeploymentLog.Silent);

        var result = await Deployer(null, [announcer], journal).RunAsync(Plan, new DeploymentRequest("octocat", "c2", TimeSpan.Zero), TestContext.Current.CancellationToken);

        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Equal(2, warnings.Count); // started and succeeded, each not delivered
        Assert.Equal(2, journal.ReadEntries().Count(x => x.Type == "notification" && x.Error!.Contains("not delivered on slack", StringComparison.Ordinal)));
        Assert.Equal(Outcomes.Succeeded, journal.ReadDeployments().Single().Outcome);
    }
}
