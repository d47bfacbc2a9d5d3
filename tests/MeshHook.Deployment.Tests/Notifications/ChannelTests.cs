using System.Diagnostics;
using System.Text.Json;
using MeshHook.Deployment.Notifications;
using MeshHook.Deployment.Notifications.Email;
using MeshHook.Deployment.Notifications.GitHub;
using MeshHook.Deployment.Notifications.Slack;
using MeshHook.Deployment.Notifications.Webhook;
using Microsoft.Extensions.Time.Testing;
using WireMock.Server;
using WireMock.Settings;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace MeshHook.Deployment.Tests.Notifications;

/// <summary>Every channel against a real receiver on loopback: payloads checked, signatures verified, no secret in any payload.</summary>
public sealed class ChannelTests : IDisposable
{
    static readonly HttpClient Http = new();
    readonly WireMockServer _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{SmtpReceiver.FreePort()}"] });
    readonly List<string> _warnings = [];

    public void Dispose() => _server.Stop();

    Uri At(string path) => new(_server.Url + path);

    IReadOnlyList<WireMock.Logging.ILogEntry> Received(string path) => _server.LogEntries.Where(x => x.RequestMessage.Path == path).ToList();

    [Fact]
    public async Task Slack_gets_a_Block_Kit_message_with_header_fields_context_and_fallback_and_no_secret()
    {
        _server.Given(Request.Create().WithPath("/slack").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([new SlackNotifier(new SlackOptions(At("/slack")), Http, masker, TimeProvider.System)], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Failed), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        var body = Assert.Single(Received("/slack")).RequestMessage.Body!;
        Assert.DoesNotContain(Samples.Canary, body);
        using var json = JsonDocument.Parse(body);
        var blocks = json.RootElement.GetProperty("blocks").EnumerateArray().ToList();
        Assert.InRange(blocks.Count, 1, SlackMessage.MaxBlocks);
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("❌ meshhook Deploy 1.4.2 → production FAILED", blocks[0].GetProperty("text").GetProperty("text").GetString());
        var fields = blocks.Single(x => x.TryGetProperty("fields", out _)).GetProperty("fields").EnumerateArray().Select(x => x.GetProperty("text").GetString()!).ToList();
        Assert.Contains(fields, x => x.StartsWith("*Environment*", StringComparison.Ordinal));
        Assert.Contains("*Commit*\n<https://github.com/o/r/commit/0123456789abcdef0123456789abcdef01234567|0123456789ab>", fields);
        Assert.Contains("*Actor*\noctocat", fields);
        Assert.Contains("*Duration*\n1 min 23 s", fields);
        Assert.Contains("*Migrations applied*\n20260101000000_add_events.sql", fields);
        Assert.Contains("*Previous release*\nr-20251231-0900-fedcba987654", fields);
        Assert.Contains("https://github.com/o/r/actions/runs/42", blocks.Single(x => x.GetProperty("type").GetString() == "context").GetRawText());
        Assert.StartsWith("❌ meshhook Deploy 1.4.2 → production FAILED", json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void Slack_limits_are_kept_for_a_huge_error()
    {
        var message = SlackMessage.Build(Samples.Announcement(AnnouncementKind.Failed) with { Error = new string('x', 20_000) });
        foreach (var block in message["blocks"]!.AsArray())
        {
            if (block!["text"]?["text"]?.GetValue<string>() is { } text)
                Assert.True(text.Length <= SlackMessage.MaxSectionText);
            foreach (var field in block["fields"]?.AsArray() ?? [])
                Assert.True(field!["text"]!.GetValue<string>().Length <= SlackMessage.MaxFieldText);
        }
        Assert.True(message["text"]!.GetValue<string>().Length <= SlackMessage.MaxFallback);
    }

    [Fact]
    public async Task Slack_429_is_retried_after_its_Retry_After()
    {
        _server.Given(Request.Create().WithPath("/slack").UsingPost()).InScenario("throttle").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1"));
        _server.Given(Request.Create().WithPath("/slack").UsingPost()).InScenario("throttle").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([new SlackNotifier(new SlackOptions(At("/slack")), Http, masker, TimeProvider.System)], _warnings, masker);

        var clock = Stopwatch.StartNew();
        await dispatcher.SendAsync(Samples.Announcement(), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        Assert.Equal(2, Received("/slack").Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {clock.Elapsed}, before Retry-After");
    }

    [Fact]
    public async Task Webhook_is_signed_over_timestamp_and_body_and_a_forgery_or_replay_fails_verification()
    {
        const string secret = "whsec-loopback-test-1234";
        _server.Given(Request.Create().WithPath("/hook").UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
        var masker = Samples.Masker();
        masker.Register(secret);
        var dispatcher = Samples.Dispatcher([new WebhookNotifier(new WebhookOptions(At("/hook"), secret), Http, masker, TimeProvider.System)], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.RolledBack), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        var request = Assert.Single(Received("/hook")).RequestMessage;
        var body = request.Body!;
        var timestamp = request.Headers![WebhookSignature.TimestampHeader].Single();
        var signature = request.Headers[WebhookSignature.SignatureHeader].Single();
        Assert.True(WebhookSignature.Verify(secret, timestamp, body, signature, DateTimeOffset.UtcNow));
        Assert.False(WebhookSignature.Verify(secret, timestamp, body.Replace("rolled_back", "succeeded", StringComparison.Ordinal), signature, DateTimeOffset.UtcNow));
        Assert.False(WebhookSignature.Verify("another-secret", timestamp, body, signature, DateTimeOffset.UtcNow));
        Assert.False(WebhookSignature.Verify(secret, timestamp, body, signature, DateTimeOffset.UtcNow.AddMinutes(10)));
        using var json = JsonDocument.Parse(body);
        Assert.Equal("deployment.rolled_back", json.RootElement.GetProperty("event").GetString());
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", json.RootElement.GetProperty("commit").GetString());
        Assert.DoesNotContain(Samples.Canary, body);
        Assert.DoesNotContain(secret, body);
    }

    GitHubNotifier GitHubAgainstStub(Microsoft.Extensions.Time.Testing.FakeTimeProvider? _ = null) =>
        new(new GitHubOptions("o", "r", "ghp_loopbacktoken", new Uri(_server.Url + "/")), Samples.Masker(), TimeSpan.FromSeconds(10));

    void StubGitHubList() => _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingGet())
        .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));

    static string Deployment(long id, string sha) =>
        $$"""{ "id": {{id}}, "sha": "{{sha}}", "ref": "{{sha}}", "environment": "production", "payload": {} }""";

    [Fact]
    public async Task GitHub_create_that_fails_with_5xx_is_retried_then_the_deployment_goes_in_progress()
    {
        StubGitHubList();
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost()).InScenario("flaky").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(502).WithBody("bad gateway"));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost()).InScenario("flaky").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(Deployment(7, "0123456789abcdef0123456789abcdef01234567")));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments/7/statuses").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 1, "state": "in_progress" }"""));
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([GitHubAgainstStub()], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Started), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        var creates = _server.LogEntries.Where(x => x.RequestMessage.Path == "/api/v3/repos/o/r/deployments" && x.RequestMessage.Method == "POST").ToList();
        Assert.Equal(2, creates.Count);
        using var create = JsonDocument.Parse(creates[^1].RequestMessage.Body!);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", create.RootElement.GetProperty("ref").GetString());
        Assert.False(create.RootElement.GetProperty("auto_merge").GetBoolean());
        Assert.Equal(0, create.RootElement.GetProperty("required_contexts").GetArrayLength());
        Assert.True(create.RootElement.GetProperty("production_environment").GetBoolean());
        Assert.Equal("production", create.RootElement.GetProperty("environment").GetString());
        using var status = JsonDocument.Parse(Assert.Single(Received("/api/v3/repos/o/r/deployments/7/statuses")).RequestMessage.Body!);
        Assert.Equal("in_progress", status.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task GitHub_409_on_create_is_a_warning_not_retried()
    {
        StubGitHubList();
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(409).WithHeader("Content-Type", "application/json").WithBody("""{ "message": "Conflict: Commit status checks failed for main." }"""));
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([GitHubAgainstStub()], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Started), TestContext.Current.CancellationToken);

        var warning = Assert.Single(_warnings);
        TestContext.Current.TestOutputHelper?.WriteLine(warning + string.Join(" ", _server.LogEntries.Select(x => x.RequestMessage.Method + " " + x.RequestMessage.Url)));
        Assert.True(warning.Contains("409", StringComparison.Ordinal), warning);
        Assert.Single(_server.LogEntries, x => x.RequestMessage.Path == "/api/v3/repos/o/r/deployments" && x.RequestMessage.Method == "POST");
    }

    [Fact]
    public async Task GitHub_rollback_reports_failure_then_deploys_the_old_commit_successfully_and_inactivates_the_failed_one()
    {
        StubGitHubList();
        // WireMock: the lower the priority number, the earlier the mapping is tried.
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(Deployment(7, "0123456789abcdef0123456789abcdef01234567")));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost().WithBody(new WireMock.Matchers.WildcardMatcher("*fedcba9876543210*")))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(Deployment(8, "fedcba9876543210fedcba9876543210fedcba98")));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments/*/statuses").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 1 }"""));
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([GitHubAgainstStub()], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.RolledBack), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        var statuses = _server.LogEntries.Where(x => x.RequestMessage.Path.EndsWith("/statuses", StringComparison.Ordinal))
            .Select(x => (x.RequestMessage.Path, State: JsonDocument.Parse(x.RequestMessage.Body!).RootElement.GetProperty("state").GetString())).ToList();
        Assert.Equal([
            ("/api/v3/repos/o/r/deployments/7/statuses", "failure"),
            ("/api/v3/repos/o/r/deployments/8/statuses", "in_progress"),
            ("/api/v3/repos/o/r/deployments/8/statuses", "success"),
            ("/api/v3/repos/o/r/deployments/7/statuses", "inactive"),
        ], statuses);
        var failure = JsonDocument.Parse(_server.LogEntries.First(x => x.RequestMessage.Path.EndsWith("/7/statuses", StringComparison.Ordinal)).RequestMessage.Body!).RootElement;
        Assert.Equal("https://meshhook.example.com/", failure.GetProperty("environment_url").GetString());
        Assert.Equal("https://github.com/o/r/actions/runs/42", failure.GetProperty("log_url").GetString());
        Assert.DoesNotContain(_server.LogEntries, x => x.RequestMessage.Body?.Contains(Samples.Canary, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Inside_a_GitHub_Actions_job_the_deployment_it_already_made_is_updated_not_a_second_one()
    {
        // What a job with `environment:` sees; GITHUB_DEPLOYMENT_ID names the deployment GitHub made for it.
        var variables = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_DEPLOYMENT_ID"] = "99", ["GITHUB_REPOSITORY"] = "o/r", ["GITHUB_TOKEN"] = "ghs_actions_job_token",
            ["GITHUB_API_URL"] = _server.Url + "/",
        };
        StubGitHubList();
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(Deployment(7, "0123456789abcdef0123456789abcdef01234567")));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments/*/statuses").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 1 }"""));
        var masker = Samples.Masker();
        var environment = Environments.Samples.Parse(Environments.Samples.Local);
        var notifiers = await NotificationChannels.CreateAsync(environment, null, variables, Http, masker, TimeProvider.System, new DeliveryPolicy(),
            TestContext.Current.CancellationToken);
        var dispatcher = Samples.Dispatcher(notifiers, _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Started), TestContext.Current.CancellationToken);
        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Failed), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        Assert.Equal("github", Assert.Single(notifiers).Name);
        Assert.DoesNotContain(_server.LogEntries, x => x.RequestMessage.Path == "/api/v3/repos/o/r/deployments" && x.RequestMessage.Method == "POST");
        var states = _server.LogEntries.Where(x => x.RequestMessage.Path.EndsWith("/statuses", StringComparison.Ordinal))
            .Select(x => x.RequestMessage.Path.Split('/')[^2] + ":" + JsonDocument.Parse(x.RequestMessage.Body!).RootElement.GetProperty("state").GetString());
        Assert.Equal(["99:in_progress", "99:failure"], states);
    }

    [Fact]
    public async Task Inside_a_GitHub_Actions_job_without_the_id_the_jobs_deployment_is_found_by_environment_and_commit()
    {
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(
                $"[{Deployment(41, "fedcba9876543210fedcba9876543210fedcba98")}, {Deployment(42, "0123456789abcdef0123456789abcdef01234567")}]"));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments/*/statuses").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 1 }"""));
        var masker = Samples.Masker();
        var notifier = new GitHubNotifier(new GitHubOptions("o", "r", "ghs_actions_job_token", new Uri(_server.Url + "/")) { InActionsJob = true }, masker, TimeSpan.FromSeconds(10));
        var dispatcher = Samples.Dispatcher([notifier], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Started), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        Assert.DoesNotContain(_server.LogEntries, x => x.RequestMessage.Path == "/api/v3/repos/o/r/deployments" && x.RequestMessage.Method == "POST");
        Assert.Equal("/api/v3/repos/o/r/deployments/42/statuses", Assert.Single(_server.LogEntries, x => x.RequestMessage.Method == "POST").RequestMessage.Path);
    }

    [Fact]
    public async Task Email_arrives_at_a_real_SMTP_server_with_subject_parts_and_headers_threaded_by_References()
    {
        await using var smtp = new SmtpReceiver();
        var masker = Samples.Masker();
        var options = EmailOptions.Parse(smtp.Url, "ops@example.com, dev@example.com", null, "test");
        var dispatcher = Samples.Dispatcher([new EmailNotifier(options, masker)], _warnings, masker);

        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Started), TestContext.Current.CancellationToken);
        await dispatcher.SendAsync(Samples.Announcement(AnnouncementKind.Failed), TestContext.Current.CancellationToken);

        Assert.Empty(_warnings);
        Assert.True(await smtp.Received.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(await smtp.Received.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var messages = smtp.Messages.ToList();
        Assert.Equal("[meshhook][production] Deploy 1.4.2 STARTED", messages[0].Subject);
        Assert.Equal("[meshhook][production] Deploy 1.4.2 FAILED", messages[1].Subject);
        foreach (var message in messages)
        {
            Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
            Assert.Equal("MeshHook production deployments <production.deploy.meshhook.invalid>", message.Headers["List-Id"]);
            Assert.NotNull(message.TextBody);
            Assert.NotNull(message.HtmlBody);
            Assert.DoesNotContain(Samples.Canary, message.TextBody + message.HtmlBody + message.Subject);
            Assert.Equal(2, message.To.Count);
        }
        Assert.Equal(EmailMessage.ThreadId("d-20260101-120000-abcdef"), messages[0].MessageId);
        Assert.Equal([messages[0].MessageId!], messages[1].References);
        Assert.Equal(messages[0].MessageId, messages[1].InReplyTo);
        Assert.Contains("health check failed, token=***", messages[1].TextBody);
    }

    sealed class Hanging(string name) : INotifier
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Name => name;
        public string Preview(Announcement announcement) => "";

        public async Task SendAsync(Announcement announcement, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores its token: the dispatcher must still stop waiting
        }
    }

    [Fact]
    public async Task A_channel_that_hangs_costs_its_timeout_on_the_clock_and_becomes_a_warning()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hanging = new Hanging("hangs");
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([hanging], _warnings, masker, time, new DeliveryPolicy { Timeout = TimeSpan.FromSeconds(20), Attempts = 3, Backoff = TimeSpan.FromSeconds(1) });

        var send = dispatcher.SendAsync(Samples.Announcement(), TestContext.Current.CancellationToken);
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(send.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var warnings = await send.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Contains("no answer within 20 s", Assert.Single(warnings));
    }

    [Fact]
    public async Task A_channel_that_is_down_is_retried_with_backoff_then_a_warning()
    {
        var down = new Uri($"http://127.0.0.1:{SmtpReceiver.FreePort()}/nobody");
        var masker = Samples.Masker();
        var dispatcher = Samples.Dispatcher([new SlackNotifier(new SlackOptions(down), Http, masker, TimeProvider.System)], _warnings, masker);

        var clock = Stopwatch.StartNew();
        var warnings = await dispatcher.SendAsync(Samples.Announcement(), TestContext.Current.CancellationToken);

        Assert.Contains("3 attempts failed", Assert.Single(warnings));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_GitHub_channel_without_repository_or_token_outside_Actions_is_left_out_with_a_warning()
    {
        // Staging's channel is { "kind": "github" }: in GitHub Actions GITHUB_REPOSITORY and GITHUB_TOKEN complete it; a dry
        // run or a deploy from a laptop has neither, and that is not a failure to announce anything.
        var environment = Environments.Samples.Parse(Environments.Samples.Local.Replace("\"notifications\": []", "\"notifications\": [{ \"kind\": \"github\" }]"));
        var warnings = new List<string>();

        var notifiers = await NotificationChannels.CreateAsync(environment, null, new Dictionary<string, string>(), Http, Samples.Masker(),
            TimeProvider.System, new DeliveryPolicy(), TestContext.Current.CancellationToken, warnings.Add);

        Assert.Empty(notifiers);
        Assert.Contains("GitHub Deployments are not announced from here", Assert.Single(warnings));
        Assert.Contains("GITHUB_REPOSITORY", warnings[0]);
    }
}
