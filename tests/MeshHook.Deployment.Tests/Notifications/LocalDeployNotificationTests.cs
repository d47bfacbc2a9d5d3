using System.Text.Json;
using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Notifications;
using MeshHook.Deployment.Notifications.Webhook;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Tooling;
using WireMock.Server;
using WireMock.Settings;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace MeshHook.Deployment.Tests.Notifications;

/// <summary>
/// The "done when": a real local deploy (real edge, database and node processes) with every channel of
/// environment.json pointed at loopback receivers (WireMock for Slack, the webhook and GitHub's REST API under /api/v3/, a
/// real SMTP server) announces start and outcome on each; a deploy whose verification fails after the switch announces
/// failure and rollback on each; a manual rollback past a migration announces that the migration stays; no secret is in
/// any payload. One test: real processes are slow.
/// </summary>
[Collection(LocalEnvironments.Name)]
public sealed partial class LocalDeployNotificationTests : IDisposable
{
    const string SlackSecret = "T0E2E/B0E2E/slack-url-5ecret-e2e";
    const string GitHubToken = "ghp_e2e_5ecret_token_0123456789";
    const string SigningSecret = "whsec-e2e-5ecret-signing-key";
    static readonly HttpClient Http = new();
    readonly WireMockServer _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{SmtpReceiver.FreePort()}"] });

    static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _server.Stop();

    [Fact]
    public async Task Deploys_rollbacks_and_warnings_are_announced_on_every_channel_configured_in_environment_json()
    {
        await using var local = await LocalDeployment.CreateAsync(Token, healthTimeout: LocalDeployment.UnhealthyReleaseTimeout);
        await using var smtp = new SmtpReceiver();
        var good = local.Release();
        var flaky = local.Release(healthMode: "ok-once"); // healthy for the first check, broken behind the edge
        const string migration = "20260102000000_more.sql";
        var migrating = local.Release(migrations: new Dictionary<string, string>
        {
            ["20260101000000_fixture.sql"] = "create table if not exists fixture_runs (id serial primary key);",
            [migration] = "create table if not exists fixture_more (id serial primary key);",
        });
        StubReceivers(good.Commit, flaky.Commit, migrating.Commit);

        // The channels as a user writes them: environment.json with secret references, resolved by the secrets provider.
        var environment = EnvironmentConfiguration.Parse($$"""
            {
              "target": { "kind": "local" },
              "url": "{{local.Url.GetLeftPart(UriPartial.Authority)}}",
              "health": {},
              "configuration": {},
              "secrets": { "provider": "env", "prefix": "E2E_" },
              "database": { "kind": "embedded" },
              "protection": {},
              "notifications": [
                { "kind": "slack", "settings": { "webhookUrl": { "secret": "SLACK_WEBHOOK_URL" }, "channel": "#deploys" } },
                { "kind": "github", "settings": { "repository": "o/r", "token": { "secret": "GITHUB_DEPLOY_TOKEN" }, "apiUrl": "{{_server.Url}}/" } },
                { "kind": "email", "settings": { "smtpUrl": "{{smtp.Url}}", "to": ["ops@example.com"], "from": "deploy@example.com" } },
                { "kind": "webhook", "settings": { "url": "{{_server.Url}}/hook", "signingSecret": { "secret": "NOTIFY_WEBHOOK_SECRET" } } }
              ],
              "retention": {},
              "local": { "edgePort": {{local.Url.Port}}, "portRange": [21000, 21999] }
            }
            """, EnvironmentName.Local, "environment.json");
        var variables = new Dictionary<string, string>
        {
            ["E2E_SLACK_WEBHOOK_URL"] = $"{_server.Url}/slack/{SlackSecret}",
            ["E2E_GITHUB_DEPLOY_TOKEN"] = GitHubToken,
            ["E2E_NOTIFY_WEBHOOK_SECRET"] = SigningSecret,
        };
        var masker = new SecretMasker();
        masker.Register(LocalDeployment.Canary);
        var log = new DeploymentLog(_ => { }, _ => { });
        var policy = new DeliveryPolicy { Timeout = TimeSpan.FromSeconds(20), Attempts = 2, Backoff = TimeSpan.FromMilliseconds(100) };
        var notifiers = await NotificationChannels.CreateAsync(environment, SecretProviders.Create(environment, local.Root, variables, masker), variables, Http,
            masker, TimeProvider.System, policy, Token);
        Assert.Equal(["slack", "github", "email", "webhook"], notifiers.Select(x => x.Name));
        local.Environment.Observers.Add(new DeploymentAnnouncer(new NotificationDispatcher(notifiers, policy, TimeProvider.System, log, masker),
            local.Environment.Journal, id => local.Store.Get(id), new AnnouncementLinks(local.Url), TimeProvider.System, log));

        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);
        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => local.Environment.DeployAsync(flaky, LocalDeployment.Options(), Token));
        Assert.Equal((Outcomes.RolledBack, Stage.Verify), (error.Outcome, error.Stage));
        await local.Environment.DeployAsync(migrating, LocalDeployment.Options(), Token);
        await local.Environment.RollbackAsync(null, LocalDeployment.Options(), Token); // the migration stays

        Assert.Equal(good.Id, local.Environment.Layout.CurrentRelease());
        Assert.DoesNotContain(local.Environment.Journal.ReadEntries(), x => x.Type == "notification"); // every message was delivered
        string[] outcomes = ["STARTED", "SUCCEEDED", "STARTED", "FAILED", "ROLLED BACK", "STARTED", "SUCCEEDED", "STARTED", "SUCCEEDED"];

        var slack = Bodies($"/slack/{SlackSecret}").Select(x => JsonDocument.Parse(x).RootElement.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()!).ToList();
        Assert.Equal(outcomes, slack.Select(Outcome).Where(x => x != "WARNING"));
        Assert.Contains(slack, x => x.EndsWith("WARNING", StringComparison.Ordinal)); // the automatic rollback, before it happens

        var hooks = _server.LogEntries.Where(x => x.RequestMessage.Path == "/hook").Select(x => x.RequestMessage).ToList();
        Assert.All(hooks, x => Assert.True(WebhookSignature.Verify(SigningSecret, x.Headers![WebhookSignature.TimestampHeader].Single(), x.Body!,
            x.Headers[WebhookSignature.SignatureHeader].Single(), DateTimeOffset.UtcNow), "the webhook's signature does not verify"));
        var events = hooks.Select(x => JsonDocument.Parse(x.Body!).RootElement).ToList();
        Assert.Equal(["deployment.started", "deployment.succeeded", "deployment.started", "deployment.failed", "deployment.rolled_back",
                "deployment.started", "deployment.succeeded", "deployment.started", "deployment.succeeded"],
            events.Select(x => x.GetProperty("event").GetString()).Where(x => x != "deployment.warning"));
        Assert.Equal([good.Commit, good.Commit, flaky.Commit, flaky.Commit, flaky.Commit, migrating.Commit, migrating.Commit, good.Commit, good.Commit],
            events.Where(x => x.GetProperty("event").GetString() != "deployment.warning").Select(x => x.GetProperty("commit").GetString()));
        // The manual rollback's warning reaches the channels, not only the console.
        var stays = Assert.Single(events, x => x.GetProperty("event").GetString() == "deployment.warning" && x.GetProperty("kind").GetString() == "rollback");
        Assert.Contains($"staying: {migration}", stays.GetProperty("warning").GetString());

        var subjects = smtp.Messages.Select(x => x.Subject!).ToList();
        Assert.Equal(outcomes, subjects.Select(Outcome).Where(x => x != "WARNING"));
        Assert.All(smtp.Messages, x => Assert.Equal("auto-generated", x.Headers["Auto-Submitted"]));

        // GitHub: the good deploy in_progress → success; the flaky one in_progress → failure, then the rollback as a new
        // deployment of the good commit (in_progress → success) and the failed one inactive.
        var states = _server.LogEntries.Where(x => x.RequestMessage.Path.EndsWith("/statuses", StringComparison.Ordinal))
            .Select(x => x.RequestMessage.Path.Split('/')[^2] + ":" + JsonDocument.Parse(x.RequestMessage.Body!).RootElement.GetProperty("state").GetString());
        Assert.Equal(["11:in_progress", "11:success", "22:in_progress", "22:failure", "33:in_progress", "33:success", "22:inactive",
            "44:in_progress", "44:success", "11:in_progress", "11:success"], states);

        var payloads = _server.LogEntries.Select(x => x.RequestMessage.Body ?? "").Concat(smtp.Messages.Select(x => x.ToString())).ToList();
        Assert.True(payloads.Count >= 20, $"only {payloads.Count} payloads");
        foreach (var secret in new[] { LocalDeployment.Canary, SlackSecret, GitHubToken, SigningSecret })
            Assert.DoesNotContain(payloads, x => x.Contains(secret, StringComparison.Ordinal));
    }

    void StubReceivers(string goodCommit, string flakyCommit, string migratingCommit)
    {
        _server.Given(Request.Create().UsingPost()).AtPriority(100).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));
        // WireMock: the lower the priority number, the earlier the mapping is tried.
        Deployment(1, "*\"deploymentId\":\"*:rollback\"*", 33, goodCommit);
        Deployment(5, $"*\"{goodCommit}\"*", 11, goodCommit);
        Deployment(5, $"*\"{flakyCommit}\"*", 22, flakyCommit);
        Deployment(5, $"*\"{migratingCommit}\"*", 44, migratingCommit);
        _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments/*/statuses").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""{ "id": 1 }"""));

        void Deployment(int priority, string body, long id, string commit) =>
            _server.Given(Request.Create().WithPath("/api/v3/repos/o/r/deployments").UsingPost().WithBody(new WireMock.Matchers.WildcardMatcher(body))).AtPriority(priority)
                .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                    .WithBody($$"""{ "id": {{id}}, "sha": "{{commit}}", "ref": "{{commit}}", "environment": "local", "payload": {} }"""));
    }

    IEnumerable<string> Bodies(string path) => _server.LogEntries.Where(x => x.RequestMessage.Path == path).Select(x => x.RequestMessage.Body!);

    static string Outcome(string title) => OutcomeWord().Match(title) is { Success: true } match ? match.Value : $"(no outcome in '{title}')";

    [GeneratedRegex("(STARTED|SUCCEEDED|FAILED|ROLLED BACK|WARNING|CANCELLED|ABORTED)$")]
    private static partial Regex OutcomeWord();
}
