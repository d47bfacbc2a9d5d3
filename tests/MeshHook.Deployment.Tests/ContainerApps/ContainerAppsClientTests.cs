using System.Diagnostics;
using MeshHook.Deployment.Health;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.ContainerApps;

namespace MeshHook.Deployment.Tests.ContainerApps;

public sealed class ContainerAppsClientTests : IDisposable
{
    const string Web = "ca-meshhook-test-web", Registry = "crmeshhooktest.azurecr.io";
    const string OldRelease = "20261130-064512-a1b2c3d4e5f6", NewRelease = "20261201-080000-0123456789ab";
    static readonly string NewSuffix = NewRevision.SuffixFor(NewRelease);
    static readonly string NewName = $"{Web}--{NewSuffix}";
    readonly ArmServer arm = new();
    readonly SkipAheadClock clock = new();
    readonly FakeCredential credential = new();
    static CancellationToken Cancel => TestContext.Current.CancellationToken;
    static readonly ContainerAppId WebApp = new(ArmServer.Subscription, ArmServer.ResourceGroup, Web);

    public ContainerAppsClientTests() => arm.AddApp(Web, $"{Registry}/web:{OldRelease}");

    public void Dispose() => arm.Dispose();

    ContainerAppsClient Client() => new(credential, arm.ClientOptions(clock));

    ContainerAppsStepRunner Runner(ContainerAppsClient client) =>
        new(client, ArmServer.Subscription, ArmServer.ResourceGroup, new HealthProbe(arm.HealthClient(), clock),
            new HealthOptions(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)));

    [Fact]
    public void Suffix_of_a_release_is_a_valid_revision_suffix()
    {
        Assert.Equal("r20261201080000-0123456", NewSuffix);
        Assert.Equal("r20261201080000-0123456-2", NewRevision.SuffixFor(NewRelease + "-2"));
        Assert.Throws<ContainerAppsException>(() => NewRevision.SuffixFor("latest"));
    }

    [Fact]
    public async Task Creates_a_revision_at_zero_traffic_and_waits_until_it_runs()
    {
        var client = Client();

        var name = await client.CreateRevisionAsync(WebApp, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel);
        var running = await client.WaitUntilRevisionRunningAsync(WebApp, name, TimeSpan.FromMinutes(5), Cancel);

        Assert.Equal(NewName, name);
        Assert.True(running.IsRunning, running.Describe());
        var patch = Assert.Single(arm.ArmRequests, r => r.Method == "PATCH");
        Assert.Equal($"/subscriptions/{ArmServer.Subscription}/resourceGroups/{ArmServer.ResourceGroup}/providers/Microsoft.App/containerApps/{Web}", patch.Path);
        var template = patch.Json["properties"]!["template"]!;
        Assert.Equal($"{Registry}/web:{NewRelease}", (string?)template["containers"]![0]!["image"]);
        Assert.Equal("DATABASE_URL", (string?)template["containers"]![0]!["env"]![0]!["name"]); // what Terraform set stays
        Assert.Equal(NewSuffix, (string?)template["revisionSuffix"]);
        // latestRevision: true would hand the new revision all traffic the moment it is ready: pinned to the serving one instead.
        Assert.Equal(
            $$"""[{"revisionName":"{{Web}}--initial","weight":100},{"revisionName":"{{NewName}}","weight":0,"label":"candidate"}]""",
            patch.Json["properties"]!["configuration"]!["ingress"]!["traffic"]!.ToJsonString());
        Assert.Equal([($"{Web}--initial", 100, null), (NewName, 0, "candidate")], arm.TrafficOf(Web));
        Assert.All(arm.ArmRequests, r =>
        {
            Assert.Equal(ContainerAppsApi.ApiVersion, r.ApiVersion);
            Assert.Equal("Bearer test-token-abc", r.Authorization);
        });
        Assert.Contains(arm.ArmRequests, r => r.Path.Contains("/containerappOperationStatuses/", StringComparison.Ordinal)); // Azure-AsyncOperation polled
        Assert.Contains(TimeSpan.FromSeconds(3), clock.Delays); // the operation's Retry-After: 3
        Assert.Equal([ContainerAppsApi.Scope], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Location_header_alone_is_polled_until_the_operation_answers_200()
    {
        arm.SendAsyncOperationHeader = false;
        arm.OperationPolls = 2;

        await Client().CreateRevisionAsync(WebApp, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel);

        Assert.Equal(3, arm.ArmRequests.Count(r => r.Path.Contains("/containerappOperationResults/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_revision_that_degrades_fails_at_once_naming_its_state_and_the_traffic_never_moves()
    {
        arm.Fates[NewName] = RevisionFate.Degraded;
        var runner = Runner(Client());

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() => RunAsync(runner, Plan()));

        Assert.Contains($"Revision {NewName}", failure.Message);
        Assert.Contains("running Degraded", failure.Message);
        Assert.Contains("az containerapp logs show", failure.Message);
        Assert.Equal([($"{Web}--initial", 100, null), (NewName, 0, "candidate")], arm.TrafficOf(Web));
        Assert.Single(arm.ArmRequests, r => r.Method == "PATCH"); // the creation only
    }

    [Fact]
    public async Task A_revision_that_never_becomes_healthy_times_out_with_its_last_state_and_the_traffic_never_moves()
    {
        arm.Fates[NewName] = RevisionFate.NeverHealthy;
        var runner = Runner(Client());

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() => RunAsync(runner, Plan()));

        Assert.Equal("RevisionTimeout", failure.Code);
        Assert.Contains("not running after 600 s (limit 600 s)", failure.Message);
        Assert.Contains("running Activating, health Unhealthy", failure.Message);
        Assert.Equal([($"{Web}--initial", 100, null), (NewName, 0, "candidate")], arm.TrafficOf(Web));
        Assert.Single(arm.ArmRequests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task A_revision_whose_label_url_reports_another_release_is_not_given_traffic()
    {
        var runner = Runner(Client());
        var plan = Plan().Select(s => s is VerifyRevisionUrl v ? v with { ReleaseId = "20261201-090000-ffffffffffff" } : s).ToList();

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() => RunAsync(runner, plan));

        Assert.Contains($"https://{Web}---candidate.{ArmServer.Domain}/", failure.Message);
        Assert.Contains($"version '{NewRelease}'", failure.Message);
        Assert.Equal(100, arm.TrafficOf(Web).Single(t => t.Revision == $"{Web}--initial").Weight);
    }

    [Fact]
    public async Task A_deploy_shifts_all_traffic_in_one_update_and_labels_the_revision_it_replaced()
    {
        var runner = Runner(Client());

        await RunAsync(runner, Plan());

        var shift = arm.ArmRequests.Where(r => r.Method == "PATCH").Last();
        Assert.Null(shift.Json["properties"]!["template"]); // traffic only: no new revision
        Assert.Equal(
            $$"""[{"revisionName":"{{NewName}}","weight":100,"label":"candidate"},{"revisionName":"{{Web}}--initial","weight":0,"label":"previous"}]""",
            shift.Json["properties"]!["configuration"]!["ingress"]!["traffic"]!.ToJsonString());
        Assert.Equal([(NewName, 100, "candidate"), ($"{Web}--initial", 0, "previous")], arm.TrafficOf(Web));
        Assert.Contains(arm.Requests, r => r.Host == $"{Web}---candidate.{ArmServer.Domain}" && r.Path == "/health");
    }

    [Fact]
    public async Task Older_revisions_past_retention_are_deactivated_the_serving_and_previous_ones_kept()
    {
        arm.AddRevision(Web, "r2", $"{Registry}/web:r2");
        arm.AddRevision(Web, "r3", $"{Registry}/web:r3");
        arm.AddRevision(Web, "r4", $"{Registry}/web:r4");
        arm.SetTraffic(Web, ($"{Web}--r4", 100, null), ($"{Web}--r3", 0, "previous"), ($"{Web}--r2", 0, "old"));

        await Runner(Client()).RunAsync(new DeactivateRevisions(Web, [$"{Web}--r4", $"{Web}--r3"]), Cancel);

        Assert.Equal([$"{Web}--r3", $"{Web}--r4"], arm.ActiveRevisions(Web));
        Assert.Equal([$"/revisions/{Web}--initial/deactivate", $"/revisions/{Web}--r2/deactivate"],
            arm.ArmRequests.Where(r => r.Method == "POST").Select(r => r.Path[r.Path.IndexOf("/revisions/", StringComparison.Ordinal)..]));
        Assert.Equal([($"{Web}--r4", 100, null), ($"{Web}--r3", 0, "previous")], arm.TrafficOf(Web)); // the label of r2 went first
        Assert.Equal(2, arm.ArmRequests.Count(r => r.Method == "GET" && r.Path.EndsWith("/revisions", StringComparison.Ordinal))); // 4 revisions, pages of 2 (nextLink)
    }

    [Fact]
    public async Task Throttling_with_retry_after_is_retried_after_the_time_the_server_asked_for()
    {
        arm.Throttle(count: 1, seconds: 1);
        var stopwatch = Stopwatch.StartNew();

        var app = await Client().GetAppAsync(WebApp, Cancel);

        Assert.Equal(Web, app.Name);
        Assert.Equal(2, arm.ArmRequests.Count);
        // Retry.Delay is 1 ms in these options: only the Retry-After: 1 explains a second.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_and_then_reported_with_arms_error()
    {
        arm.Throttle(count: 2, seconds: 0, status: 503);
        Assert.Equal(Web, (await Client().GetAppAsync(WebApp, Cancel)).Name);
        Assert.Equal(3, arm.ArmRequests.Count);

        arm.Throttle(count: 100, seconds: 0, status: 503);
        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() => Client().GetAppAsync(WebApp, Cancel));
        Assert.Equal(503, failure.Status);
        Assert.Equal("TooManyRequests", failure.Code);
        Assert.Equal(3 + 6, arm.ArmRequests.Count); // 1 try + 5 retries
    }

    [Fact]
    public async Task An_operation_that_never_finishes_fails_after_the_timeout_naming_the_operation_and_the_wait()
    {
        arm.NeverFinishOperations = true;
        var options = arm.ClientOptions(clock);
        options.OperationTimeout = TimeSpan.FromMinutes(2);
        var client = new ContainerAppsClient(credential, options);

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() =>
            client.CreateRevisionAsync(WebApp, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel));

        Assert.Equal("OperationTimeout", failure.Code);
        Assert.Contains($"'create revision {NewName} ({Registry}/web:{NewRelease})'", failure.Message);
        Assert.Contains("did not finish within 120 s: waited 120 s over 40 polls", failure.Message); // Retry-After: 3 → 40 polls in 120 s
        Assert.Contains("last status InProgress", failure.Message);
        Assert.Equal(WebApp.ResourceId, failure.Resource);
    }

    [Fact]
    public async Task A_token_that_cannot_be_obtained_stops_before_any_request_naming_az_login_and_the_oidc_variables()
    {
        var broken = new FakeCredential(failure: new InvalidOperationException("DefaultAzureCredential failed to retrieve a token from the included credentials."));
        var client = new ContainerAppsClient(broken, arm.ClientOptions(clock));

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() => client.GetAppAsync(WebApp, Cancel));

        Assert.Contains("DefaultAzureCredential failed", failure.Message);
        Assert.Contains("az login", failure.Message);
        Assert.Contains("AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID", failure.Message);
        Assert.Empty(arm.Requests);
    }

    [Fact]
    public async Task A_refused_request_names_the_deployer_role_and_its_scope()
    {
        arm.Refuse = 403;

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() =>
            Client().CreateRevisionAsync(WebApp, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel));

        Assert.Equal("AuthorizationFailed", failure.Code);
        Assert.Contains("\"MeshHook deployer (staging)\"", failure.Message);
        Assert.Contains($"on /subscriptions/{ArmServer.Subscription}/resourceGroups/{ArmServer.ResourceGroup} ", failure.Message);
        Assert.DoesNotContain(arm.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task An_arm_error_body_is_reported_with_code_message_and_resource()
    {
        await Client().CreateRevisionAsync(WebApp, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel);

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() =>
            Client().CreateRevisionAsync(WebApp, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel));

        Assert.Equal("ContainerAppRevisionAlreadyExists", failure.Code);
        Assert.Contains("HTTP 400 ContainerAppRevisionAlreadyExists: Revision with suffix", failure.Message);
        Assert.Contains(WebApp.ResourceId, failure.Message);
    }

    [Fact]
    public async Task A_single_revision_web_app_is_refused_before_anything_changes()
    {
        arm.AddApp("ca-single", $"{Registry}/web:{OldRelease}", mode: "Single");

        var failure = await Assert.ThrowsAsync<ContainerAppsException>(() =>
            Client().CreateRevisionAsync(WebApp with { Name = "ca-single" }, new NewRevision($"{Registry}/web:{NewRelease}", NewSuffix, "candidate"), Cancel));

        Assert.Contains("active_revisions_mode = \"Multiple\"", failure.Message);
        Assert.DoesNotContain(arm.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public void Steps_describe_themselves()
    {
        Assert.Equal(
            [
                $"create revision {NewName} of {Web} from {Registry}/web:{NewRelease} at 0 % traffic with label candidate",
                $"wait up to 600 s for revision {NewName} of {Web} to be provisioned and running",
                $"poll https://{Web}---candidate.<environment domain>/health until status is ok and version is {NewRelease}",
                $"shift 100 % of the traffic of {Web} to {NewName}; the revision serving now keeps label previous",
            ],
            Plan().Select(s => s.Describe()));
    }

    static IReadOnlyList<DeployStep> Plan() =>
    [
        new CreateRevision(Web, $"{Registry}/web:{NewRelease}", NewSuffix, ContainerAppsApi.CandidateLabel),
        new WaitForRevision(Web, NewName, TimeSpan.FromMinutes(10)),
        new VerifyRevisionUrl(Web, ContainerAppsApi.CandidateLabel, NewRelease),
        new ShiftTraffic(Web, NewName, 100, ContainerAppsApi.PreviousLabel),
    ];

    static async Task RunAsync(IStepRunner runner, IEnumerable<DeployStep> plan)
    {
        foreach (var step in plan)
            await runner.RunAsync(step, Cancel);
    }
}
