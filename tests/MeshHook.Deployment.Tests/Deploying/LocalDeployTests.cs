using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>Deploys and rollbacks on a real local environment: real processes, database, migrations and edge.</summary>
// Real environments start databases and processes: one at a time keeps a 2-core machine from timing them out.
[Collection(LocalEnvironments.Name)]
public sealed class LocalDeployTests
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deploy_second_release_and_rollback_switch_versions_with_the_url_answering_throughout()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var first = local.Release();
        var second = local.Release();

        await local.Environment.DeployAsync(first, LocalDeployment.Options(), Token);
        Assert.Equal((200, first.Id), await local.StableHealthAsync(Token));

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var requests = 0;
        var client = Task.Run(async () =>
        {
            // A bounded client loop against the stable URL while releases switch: every request must succeed.
            while (!stop.IsCancellationRequested && requests < 2000)
            {
                var (status, version) = await local.StableHealthAsync(CancellationToken.None);
                requests++;
                if (status != 200)
                    failures.Add($"{status} {version}");
                await Task.Delay(20, CancellationToken.None);
            }
        }, Token);

        await local.Environment.DeployAsync(second, LocalDeployment.Options(), Token);
        Assert.Equal((200, second.Id), await local.StableHealthAsync(Token));
        Assert.Equal(second.Id, local.Environment.Layout.CurrentRelease());

        await local.Environment.RollbackAsync(null, LocalDeployment.Options(), Token);
        Assert.Equal((200, first.Id), await local.StableHealthAsync(Token));
        Assert.Equal(first.Id, local.Environment.Layout.CurrentRelease());

        stop.Cancel();
        await client;
        Assert.True(requests > 10, $"only {requests} requests were made");
        Assert.Empty(failures);
        Assert.Contains(local.Output, x => x.Contains("The database is not rolled back"));

        var status = await local.Environment.StatusAsync(Token);
        Assert.Equal((first.Id, "ok", first.Id), (status.CurrentRelease, status.Health, status.ServingRelease));
        Assert.Null(status.LockHolder);
        // Only the current release runs (plus the edge and the database): the old one was drained and stopped.
        Assert.Equal([first.Id, first.Id], status.Units.Where(x => x.Release is not null).Select(x => x.Release));

        var rows = local.Environment.Releases();
        Assert.Equal(new[] { first.Id, second.Id }.Order(), rows.Select(x => x.Id).Order());
        Assert.True(rows.Single(x => x.Id == first.Id).Current);
        Assert.Equal(["succeeded", "succeeded", "succeeded"], local.Environment.Journal.ReadDeployments().Select(x => x.Outcome));

        Assert.Null(await local.Environment.DeployAsync(first, LocalDeployment.Options(), Token));
        Assert.Contains(local.Output, x => x.Contains("already current and healthy"));

        await local.Environment.StopAsync(Token);
        Assert.DoesNotContain(local.Environment.Processes.All(), x => x.IsAlive());
        Assert.Equal(0, (await local.StableHealthAsync(Token)).Status);
    }

    [Fact]
    public async Task A_release_whose_health_answers_503_is_never_switched_to_and_the_old_one_keeps_answering()
    {
        await using var local = await LocalDeployment.CreateAsync(Token, healthTimeout: LocalDeployment.UnhealthyReleaseTimeout);
        var good = local.Release();
        var broken = local.Release(healthMode: "503");
        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => local.Environment.DeployAsync(broken, LocalDeployment.Options(), Token));

        Assert.Equal((Outcomes.Failed, Stage.HealthCheck), (error.Outcome, error.Stage));
        Assert.Contains("did not become healthy", error.Message);
        Assert.Contains($"web {broken.Id} listening", error.Message); // the new release's log tail
        Assert.Contains($"{good.Id} kept serving", error.Message);
        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
        Assert.Equal(good.Id, local.Environment.Layout.CurrentRelease());
        Assert.DoesNotContain(local.Environment.Processes.All(), x => x.Release == broken.Id && x.IsAlive());
        Assert.Equal(Outcomes.Failed, local.Environment.Journal.ReadDeployments()[^1].Outcome);
    }

    [Fact]
    public async Task A_failed_verification_after_the_switch_rolls_back_automatically()
    {
        await using var local = await LocalDeployment.CreateAsync(Token, healthTimeout: LocalDeployment.UnhealthyReleaseTimeout);
        var good = local.Release();
        var flaky = local.Release(healthMode: "ok-once");   // healthy for the first check, broken behind the edge
        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => local.Environment.DeployAsync(flaky, LocalDeployment.Options(), Token));

        Assert.Equal((Outcomes.RolledBack, Stage.Verify), (error.Outcome, error.Stage));
        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
        Assert.Equal(good.Id, local.Environment.Layout.CurrentRelease());
        Assert.Equal(Outcomes.RolledBack, local.Environment.Journal.ReadDeployments()[^1].Outcome);
        Assert.DoesNotContain(local.Environment.Processes.All(), x => x.Release == flaky.Id && x.IsAlive());
    }

    [Fact]
    public async Task A_failing_migration_stops_the_deploy_before_any_switch_and_changes_nothing()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var good = local.Release();
        var badMigration = local.Release(migrations: new Dictionary<string, string>
        {
            ["20260101000000_fixture.sql"] = "create table if not exists fixture_runs (id serial primary key);",
            ["20260201000000_broken.sql"] = "create table half_done (id int); select 1/0;",
        });
        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);
        var journalBefore = local.Environment.Journal.ReadDeployments().Count;

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => local.Environment.DeployAsync(badMigration, LocalDeployment.Options(), Token));

        Assert.Equal((Outcomes.Failed, Stage.Migrate), (error.Outcome, error.Stage));
        Assert.Contains("division by zero", error.Message);
        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
        Assert.Equal(good.Id, local.Environment.Layout.CurrentRelease());
        Assert.DoesNotContain(local.Environment.Processes.All(), x => x.Release == badMigration.Id);
        Assert.Equal(journalBefore + 1, local.Environment.Journal.ReadDeployments().Count);

        // The failed file ran in one transaction: nothing of it is left (a deploy of the good release again still works).
        await local.Environment.DeployAsync(good, LocalDeployment.Options(force: true), Token);
        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
    }

    [Fact]
    public async Task An_unsafe_archive_is_refused_before_extraction()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var good = local.Release();
        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);
        var unsafeRelease = local.Release(tamperWeb: web => File.CreateSymbolicLink(Path.Combine(web, "escape"), "../../../../outside"));

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => local.Environment.DeployAsync(unsafeRelease, LocalDeployment.Options(), Token));

        Assert.Equal(Stage.StageRelease, error.Stage);
        Assert.Contains("outside the release", error.Message);
        Assert.False(Directory.Exists(Path.Combine(local.Environment.Layout.ReleaseDirectory(unsafeRelease.Id), "web")));
        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
    }

    [Fact]
    public async Task An_altered_release_fails_validation_and_nothing_changes()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var release = local.Release();
        File.AppendAllText(Path.Combine(local.Store.PathOf(new ReleaseId(release.Id)), "web.tar.gz"), "tampered");

        var error = await Assert.ThrowsAsync<ReleaseException>(() => local.Environment.DeployAsync(release, LocalDeployment.Options(), Token));

        Assert.Contains("does not match release.json", error.Message);
        Assert.False(Directory.Exists(local.Environment.Layout.Releases));
        Assert.False(File.Exists(local.Environment.Layout.Journal));
        Assert.False(File.Exists(local.Environment.Layout.Lock));
    }

    [Fact]
    public async Task A_held_lock_fails_the_deploy_at_once_naming_the_holder_and_nothing_changes()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var release = local.Release();
        var holder = new LockHolder("d-other", "deploy", "r-other", System.Environment.ProcessId, ProcessIdentity.Current.StartTicks,
            System.Environment.MachineName, "someone-else", DateTimeOffset.UtcNow);
        await new EnvironmentLock(local.Environment.Layout.Lock, TimeProvider.System).AcquireAsync(holder, TimeSpan.Zero, Token);

        var error = await Assert.ThrowsAsync<LockHeldException>(() => local.Environment.DeployAsync(release, LocalDeployment.Options(), Token));

        Assert.Contains("someone-else", error.Message);
        Assert.False(Directory.Exists(local.Environment.Layout.Releases));
        Assert.False(File.Exists(local.Environment.Layout.Journal));
    }

    [Fact]
    public async Task Rolling_back_to_an_unknown_release_is_refused_with_the_list()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var release = local.Release();
        await local.Environment.DeployAsync(release, LocalDeployment.Options(), Token);

        var error = await Assert.ThrowsAsync<Tooling.UserFacingException>(() =>
            local.Environment.RollbackAsync("20200101-000000-deadbeef0000", LocalDeployment.Options(), Token));

        Assert.Contains("Unknown release '20200101-000000-deadbeef0000'", error.Message);
        Assert.Contains(release.Id + " (current)", error.Message);
    }

    [Fact]
    public async Task A_canary_secret_reaches_only_the_0600_env_file()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var release = local.Release();

        await local.Environment.DeployAsync(release, LocalDeployment.Options(), Token);

        var envFile = local.Environment.Layout.EnvironmentFile;
        Assert.Contains(LocalDeployment.Canary, File.ReadAllText(envFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
        Assert.DoesNotContain(local.Output, x => x.Contains(LocalDeployment.Canary));
        foreach (var file in local.FilesOtherThanTheEnvFile())
            Assert.False(File.ReadAllText(file).Contains(LocalDeployment.Canary), $"{file} contains the canary secret");
        // The process got it (its name shows), from the env file, never on a command line.
        using var http = new HttpClient();
        Assert.Contains("FIXTURE_TOKEN", await http.GetStringAsync(local.Url, Token));
    }
}
