using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.ContainerApps;
using MeshHook.Deployment.Tests.CloudState;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Deployment.Tests.Secrets;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>
/// End to end through <see cref="EnvironmentOperations"/> (what <c>./build.sh Deploy|Rollback|Status --environment staging</c>
/// calls), in process, for a staging environment made from the repository's own staging environment.json: ARM is the
/// loopback <see cref="ArmServer"/> (revisions, traffic, label and environment URLs), the journal and lock are blobs in
/// Azurite, DATABASE_URL comes from the Key Vault stub and points at a real PostgreSQL 15 cluster that the Supabase CLI
/// migrates. The endpoints are redirected by the internal, test-only <see cref="ContainerAppsConnections"/>.
/// </summary>
public sealed class ContainerAppsDeployTests(Azurite azurite) : IClassFixture<Azurite>, IAsyncLifetime
{
    const string Web = "ca-meshhook-staging-web", Workers = "ca-meshhook-staging-workers", Host = "staging.meshhook.example.com";
    const string Password = "pg-e2e-7d1f";
    static CancellationToken Token => TestContext.Current.CancellationToken;

    readonly TempDirectory _root = new();
    readonly ArmServer _arm = new();
    readonly KeyVaultServer _vault = new("kv-meshhookstagmh01");
    readonly SkipAheadClock _clock = new();
    readonly ToolRunner _tools = new(new SecretMasker());
    readonly List<string> _log = [];
    PostgresCluster? _database;
    BlobContainerClient _state = null!;
    ReleaseStore _store = null!;
    int _releases;
    readonly List<(string Name, string Sql)> _migrations = [];

    public async ValueTask InitializeAsync()
    {
        await BuildTools.EnsureInstalledAsync(Token);
        _database = await PostgresCluster.StartAsync(Password, Token);
        _vault.Answer("GET", "/secrets/database-url", 200, new
        {
            value = _database.Url(Password),
            id = "https://kv-meshhookstagmh01.vault.azure.net/secrets/database-url/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            attributes = new { enabled = true },
        });
        _store = new ReleaseStore(_root.Combine("artifacts", "releases"));

        // The repository's staging environment.json, in the loopback ARM's resource group and with quick health polls.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Infra, "environments", "staging", "environment.json"), Token))!.AsObject();
        json["target"]!["resourceGroup"] = ArmServer.ResourceGroup;
        json["health"] = new JsonObject { ["path"] = "/health", ["intervalSeconds"] = 1, ["timeoutSeconds"] = 30, ["requestTimeoutSeconds"] = 5 };
        _root.Write("infra/environments/staging/environment.json", json.ToJsonString());

        _arm.AddApp(Web, "mcr.microsoft.com/k8se/quickstart:latest");
        _arm.AddApp(Workers, "mcr.microsoft.com/k8se/quickstart:latest", ingress: false);
        _arm.PublicHosts[Host] = Web;
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
        _arm.Dispose();
        _vault.Dispose();
        _root.Dispose();
    }

    /// <param name="state">The deployment-state container (default: a new one).</param>
    /// <param name="time">The run's clock (the lease's renewals); health polls and ARM run on <see cref="_clock"/>.</param>
    async Task<EnvironmentOperations> OperationsAsync(BlobContainerClient? state = null, TimeProvider? time = null)
    {
        state ??= await azurite.NewContainerAsync(Token);
        _state = state;
        EnvironmentOperations operations = null!;
        operations = new EnvironmentOperations(_root.Path, EnvironmentName.Staging, _store, _tools, new Dictionary<string, string>(),
            LocalPrograms.InRepository(RepositoryFiles.Root, "unused"), time ?? TimeProvider.System, new DeploymentLog(Write, Write))
        {
            ContainerAppsConnections = new ContainerAppsConnections
            {
                Arm = () => new ContainerAppsClient(new FakeCredential(), _arm.ClientOptions(_clock)),
                State = () => state,
                Secrets = () => SecretProviders.KeyVault(operations.Configuration, new Dictionary<string, string>(), _tools.Masker, _clock,
                    new RecordingCredential(), _vault.Options()),
                Health = _arm.HealthClient(),
                HealthTime = _clock,
                SubscriptionId = ArmServer.Subscription,
            },
        };
        return operations;
    }

    void Write(string line)
    {
        lock (_log)
            _log.Add(line);
    }

    [Fact]
    public async Task Deploy_then_deploy_again_then_Rollback_move_the_traffic_by_revisions_migrate_and_journal_in_blobs()
    {
        var operations = await OperationsAsync();
        var first = Release("create table e2e_first (id int);");
        var second = Release("create table e2e_second (id int);");

        await operations.DeployAsync(first.Id, Options(), Token);

        Assert.Equal([(Revision(Web, first.Id), 100)], Serving());
        // The placeholder revision infra/ started with is not kept: it runs no release to roll back to.
        Assert.Equal([Revision(Web, first.Id)], _arm.ActiveRevisions(Web));
        Assert.Equal([Revision(Workers, first.Id)], _arm.ActiveRevisions(Workers));
        Assert.Equal("e2e_first", await TablesAsync("e2e_first"));

        await operations.DeployAsync(second.Id, Options(), Token);

        Assert.Equal([(Revision(Web, second.Id), 100)], Serving());
        // The previous web revision stays active with its label, for an instant rollback; only the new release's workers run.
        Assert.Contains((Revision(Web, first.Id), 0, "previous"), _arm.TrafficOf(Web));
        Assert.Equal(new[] { Revision(Web, first.Id), Revision(Web, second.Id) }.Order(), _arm.ActiveRevisions(Web).Order());
        Assert.Equal([Revision(Workers, second.Id)], _arm.ActiveRevisions(Workers));
        Assert.Equal("e2e_second", await TablesAsync("e2e_second"));

        await operations.RollbackAsync(null, Options(), Token);

        Assert.Equal([(Revision(Web, first.Id), 100)], Serving());
        Assert.Equal([Revision(Workers, first.Id)], _arm.ActiveRevisions(Workers));
        // The rollback reused the first release's revisions: they were created once (web and workers), by the first deploy.
        Assert.Equal(2, _arm.ArmRequests.Count(x => x.Method == "PATCH" && x.Json["properties"]?["template"]?["revisionSuffix"]?.GetValue<string>() == NewRevision.SuffixFor(first.Id)));

        var deployments = await operations.Journal.ReadDeploymentsAsync(Token);
        Assert.Equal([("deploy", first.Id, Outcomes.Succeeded), ("deploy", second.Id, Outcomes.Succeeded), ("rollback", first.Id, Outcomes.Succeeded)],
            deployments.Select(x => (x.Kind, x.Release!, x.Outcome!)));
        Assert.Equal(second.Id, deployments[^1].Start.PreviousRelease);
        Assert.Contains(deployments[1].Stages, x => x.Stage == Stage.Migrate && x.Outcome == Outcomes.Succeeded);

        var status = await operations.StatusAsync(json: false, Token);
        Assert.Contains($"Current release: {first.Id}", status);
        Assert.Contains($"{Revision(Web, first.Id)} (running, 100 % traffic)", status);
        Assert.Contains("Lock:            free", status);
        Assert.Contains($"rollback of {first.Id}", status);
        var releases = await operations.ReleasesAsync(json: false, Token);
        Assert.Contains($"* {first.Id}", releases);
        Assert.DoesNotContain(Password, string.Join('\n', _log));
    }

    [Fact]
    public async Task A_healthy_label_url_while_the_environment_url_still_reports_the_old_release_is_rolled_back_automatically_and_journaled()
    {
        var operations = await OperationsAsync();
        var first = Release("create table auto_first (id int);");
        var second = Release("create table auto_second (id int);");
        await operations.DeployAsync(first.Id, Options(), Token);

        // A front door still at the old release: the new revision's label URL is healthy, the environment URL is not.
        _arm.StaleEnvironmentVersion = first.Id;
        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => operations.DeployAsync(second.Id, Options(), Token));

        Assert.Equal(Outcomes.RolledBack, failure.Outcome);
        Assert.Contains(_arm.Requests, x => x.Host == $"{Web}---candidate.{ArmServer.Domain}" && x.Path == "/health");
        Assert.Equal([(Revision(Web, first.Id), 100)], Serving());
        Assert.Equal([Revision(Workers, first.Id)], _arm.ActiveRevisions(Workers));
        var last = (await operations.Journal.ReadDeploymentsAsync(Token))[^1];
        Assert.Equal((second.Id, Outcomes.RolledBack), (last.Release, last.Outcome));
        Assert.Contains(last.Stages, x => x.Stage == Stage.Verify && x.Outcome == Outcomes.Failed);
    }

    [Fact]
    public async Task A_revision_that_never_becomes_healthy_never_gets_traffic_and_is_taken_out_of_service()
    {
        var operations = await OperationsAsync();
        var first = Release("create table never_first (id int);");
        var second = Release("create table never_second (id int);");
        await operations.DeployAsync(first.Id, Options(), Token);
        _arm.Fates[Revision(Web, second.Id)] = RevisionFate.NeverHealthy;
        var patches = _arm.ArmRequests.Count(x => x.Method == "PATCH");

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => operations.DeployAsync(second.Id, Options(), Token));

        Assert.Equal((Outcomes.Failed, Stage.HealthCheck), (failure.Outcome, failure.Stage));
        await AssertNeverServedAsync(operations, first, second, patches);
    }

    [Fact]
    public async Task A_dry_run_prints_every_stage_and_contacts_nothing()
    {
        var operations = await OperationsAsync();
        var release = Release("select 1;");
        var before = _arm.Requests.Count;

        await operations.DeployAsync(release.Id, Options() with { DryRun = true }, Token);

        Assert.Equal(before, _arm.Requests.Count);
        Assert.Empty(_vault.Server.LogEntries);
        var printed = string.Join('\n', _log);
        foreach (var stage in new[] { Stage.Validate, Stage.Lock, Stage.Migrate, Stage.Start, Stage.HealthCheck, Stage.Switch, Stage.Verify, Stage.CleanUp })
            Assert.Contains($"  {stage}\n", printed);
    }

    [Fact]
    public async Task A_dirty_release_needs_force_and_a_reason_and_the_reason_is_journaled()
    {
        var operations = await OperationsAsync();
        var dirty = Release("create table dirty_one (id int);", dirty: true);

        var refused = await Assert.ThrowsAsync<UserFacingException>(() => operations.DeployAsync(dirty.Id, Options(), Token));
        Assert.Contains("accepts only clean releases", refused.Message);
        Assert.Contains("--force --force-reason", refused.Message);
        var noReason = await Assert.ThrowsAsync<UserFacingException>(() => operations.DeployAsync(dirty.Id, Options() with { Force = true }, Token));
        Assert.Contains("only with a reason", noReason.Message);
        Assert.Empty(_arm.ArmRequests);

        await operations.DeployAsync(dirty.Id, Options() with { Force = true, Reason = "hotfix for incident 42" }, Token);

        var deployment = Assert.Single(await operations.Journal.ReadDeploymentsAsync(Token));
        Assert.Equal(Outcomes.Succeeded, deployment.Outcome);
        Assert.Equal("--force deployed a dirty release to staging: hotfix for incident 42", deployment.Start.Override);
    }

    [Fact]
    public async Task A_lease_lost_before_the_switch_stops_the_deploy_the_new_revisions_get_no_traffic_and_the_journal_names_the_lease()
    {
        var first = Release("create table lease_first (id int);");
        var second = Release("create table lease_second (id int);");
        await (await OperationsAsync()).DeployAsync(first.Id, Options(), Token);
        var clock = new CloudState.BlobLeaseLockTests.SleepingClock();
        var operations = await OperationsAsync(_state, clock);
        var patches = _arm.ArmRequests.Count(x => x.Method == "PATCH");
        // The health check polls the new web revision: that poll is held, so the deploy is mid-step when the lease goes.
        using var hold = _arm.Hold(x => x.Method == "GET" && x.Path.EndsWith($"/revisions/{Revision(Web, second.Id)}", StringComparison.Ordinal));

        var deploy = operations.DeployAsync(second.Id, Options(), Token);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(60), Token);
        await clock.AsleepAsync(deploy);   // the lease's renewal waits on the run's clock
        // Another machine breaks the lease (./build.sh Unlock there); this run learns it at its next renewal, 20 s later.
        await using (var unlocker = new BlobLeaseLock(_state, "staging", new SecretMasker(), TimeProvider.System))
            Assert.NotNull(await unlocker.ForceReleaseAsync(Token));
        clock.Advance(TimeSpan.FromSeconds(20));

        // The held poll is abandoned (the lease's loss cancels the step): without that, the deploy would wait on it.
        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => deploy.WaitAsync(TimeSpan.FromSeconds(60), Token));
        hold.Release();

        Assert.Equal((Outcomes.Failed, Stage.HealthCheck), (failure.Outcome, failure.Stage));
        Assert.Contains("Environment lock lost before the switch", failure.Message);
        var last = await AssertNeverServedAsync(operations, first, second, patches);
        Assert.Contains("was lost", last.Finish!.Error);
        Assert.DoesNotContain("Ctrl+C", last.Finish.Error);
        Assert.Contains(last.Stages, x => x.Stage == Stage.HealthCheck && x.Outcome == Outcomes.Failed && x.Error!.Contains("lease", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lease_broken_between_two_renewals_is_caught_by_the_renewal_on_the_spot_before_the_switch()
    {
        var first = Release("create table spot_first (id int);");
        var second = Release("create table spot_second (id int);");
        await (await OperationsAsync()).DeployAsync(first.Id, Options(), Token);
        // The run's clock never moves: its background renewal never comes, only the check before the switch can see the loss.
        var operations = await OperationsAsync(_state, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        // The last step before the switch: the new revision's label URL.
        using var hold = _arm.Hold(x => x.Host == $"{Web}---candidate.{ArmServer.Domain}" && x.Path == "/health");

        var deploy = operations.DeployAsync(second.Id, Options(), Token);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(60), Token);
        await using (var unlocker = new BlobLeaseLock(_state, "staging", new SecretMasker(), TimeProvider.System))
            Assert.NotNull(await unlocker.ForceReleaseAsync(Token));
        hold.Release();

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => deploy.WaitAsync(TimeSpan.FromSeconds(60), Token));
        Assert.Equal((Outcomes.Failed, Stage.HealthCheck), (failure.Outcome, failure.Stage));
        Assert.Contains("Environment lock lost before the switch", failure.Message);
        var last = await AssertNeverServedAsync(operations, first, second, patches: null);
        Assert.Contains("was lost", last.Finish!.Error);
    }

    [Fact]
    public async Task A_lease_lost_after_the_switch_leaves_the_verified_release_live_and_skips_the_clean_up_with_a_clear_warning()
    {
        var operations = await OperationsAsync();
        var first = Release("create table after_first (id int);");
        var second = Release("create table after_second (id int);");
        await operations.DeployAsync(first.Id, Options(), Token);
        // The environment URL is checked only after the switch (verify): the deploy is held there.
        using var hold = _arm.Hold(x => x.Host == Host && x.Path == "/health");

        var deploy = operations.DeployAsync(second.Id, Options(), Token);
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(60), Token);
        var deactivations = _arm.ArmRequests.Count(x => x.Path.EndsWith("/deactivate", StringComparison.Ordinal));
        // Another deployer breaks the lease and takes the environment.
        await using var other = new BlobLeaseLock(_state, "staging", new SecretMasker(), TimeProvider.System);
        await other.ForceReleaseAsync(Token);
        var otherHolder = new LockHolder("other-deploy", "deploy", null, 1, 0, "other-host", "other@test", DateTimeOffset.UtcNow);
        await other.AcquireAsync(otherHolder, TimeSpan.Zero, Token);
        hold.Release();
        await deploy.WaitAsync(TimeSpan.FromSeconds(60), Token);

        // Switched while the lease was held, and verified: the new release stays live.
        Assert.Equal([(Revision(Web, second.Id), 100)], Serving());
        // Nothing was changed once the lease was gone: no clean-up, so the first release's workers still run.
        Assert.Equal(deactivations, _arm.ArmRequests.Count(x => x.Path.EndsWith("/deactivate", StringComparison.Ordinal)));
        Assert.Contains(Revision(Workers, first.Id), _arm.ActiveRevisions(Workers));
        var last = (await operations.Journal.ReadDeploymentsAsync(Token))[^1];
        Assert.Equal((second.Id, Outcomes.Succeeded), (last.Release, last.Outcome));
        Assert.Contains(last.Stages, x => x.Stage == Stage.CleanUp && x.Outcome == Outcomes.Failed && x.Error!.Contains("Environment lock lost after the switch", StringComparison.Ordinal));
        Assert.Contains(_log, x => x.Contains("the environment lock was lost after the switch", StringComparison.Ordinal));
        // The other deployer's hold is untouched by this run's ending.
        Assert.Equal("other-deploy", (await other.ReadHolderAsync(Token))?.DeploymentId);
        await other.ReleaseAsync("other-deploy", Token);
    }

    static DeployOptions Options() => new() { Actor = "tester@test" };

    /// <summary>
    /// The old release serves everything, the new one's revisions are out of service and the journal's last deployment is
    /// the new release, failed. With <paramref name="patches"/> (the PATCH count before the deploy): no traffic update since
    /// ever gave the new revision a share (the PATCHes are its creation and label removal only).
    /// </summary>
    async Task<DeploymentRecord> AssertNeverServedAsync(EnvironmentOperations operations, ReleaseManifest first, ReleaseManifest second, int? patches)
    {
        Assert.Equal([(Revision(Web, first.Id), 100)], Serving());
        if (patches is { } before)
            Assert.DoesNotContain(_arm.ArmRequests.Where(x => x.Method == "PATCH").Skip(before), x =>
                x.Json["properties"]?["configuration"]?["ingress"]?["traffic"]?.AsArray().Any(t => t?["revisionName"]?.GetValue<string>() == Revision(Web, second.Id) && t["weight"]!.GetValue<int>() > 0) == true);
        Assert.Equal([Revision(Web, first.Id)], _arm.ActiveRevisions(Web));
        Assert.Equal([Revision(Workers, first.Id)], _arm.ActiveRevisions(Workers));
        var last = (await operations.Journal.ReadDeploymentsAsync(Token))[^1];
        Assert.Equal((second.Id, Outcomes.Failed), (last.Release, last.Outcome));
        return last;
    }

    IReadOnlyList<(string Revision, int Weight)> Serving() => _arm.TrafficOf(Web).Where(x => x.Weight > 0).Select(x => (x.Revision, x.Weight)).ToList();

    static string Revision(string app, string release) => $"{app}--{NewRevision.SuffixFor(release)}";

    ReleaseManifest Release(string sql, bool dirty = false)
    {
        var number = Interlocked.Increment(ref _releases);
        var source = $"sources/{number}";
        _root.Write($"{source}/web/build/index.js", "// web");
        _root.Write($"{source}/workers/worker.mjs", "// workers");
        _root.Write($"{source}/migrations/supabase/config.toml", "project_id = \"e2e\"\n");
        // A release carries every migration so far (the CLI refuses a database with versions it does not know).
        _migrations.Add(($"2026010100000{number}_step.sql", sql));
        foreach (var (name, text) in _migrations)
            _root.Write($"{source}/migrations/supabase/migrations/{name}", text);
        var commit = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return new ReleasePackager(_store, TimeProvider.System).Package(new SourceRevision(commit, $"1.0.{number}", dirty), "tester@test",
        [
            new ReleaseContent("web", _root.Combine(source, "web")),
            new ReleaseContent("workers", _root.Combine(source, "workers")),
            new ReleaseContent("migrations", _root.Combine(source, "migrations")),
        ], _migrations.Select(x => x.Name).ToList());
    }

    /// <summary>The table's name when the migrations created it, else what psql said.</summary>
    async Task<string> TablesAsync(string table)
    {
        var result = await _tools.RunAsync(new ToolCommand("/usr/lib/postgresql/15/bin/psql", "-h", "127.0.0.1", "-p", _database!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", "postgres", "-tAc", $"select to_regclass('public.{table}')")
        {
            Environment = new Dictionary<string, string?> { ["PGPASSWORD"] = Password }, LogOutput = false, ThrowOnFailure = false,
        }, Token);
        return (result.StandardOutput + result.StandardError).Trim();
    }
}
