using System.Globalization;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// A release with migrations deployed to several real sshd hosts against a real PostgreSQL 15 cluster (the Supabase CLI
/// from this machine): the migration runs exactly once, not once per host, and before any host switches.
/// </summary>
public sealed class SshMigrationTests
{
    const string Password = "ssh-migrations-pw";

    [Fact]
    public async Task Migrations_run_once_for_all_hosts_and_before_any_switch()
    {
        var token = TestContext.Current.CancellationToken;
        await BuildTools.EnsureInstalledAsync(token);
        await using var database = await PostgresCluster.StartAsync(Password, token);
        await using var deployment = await SshDeployment.CreateAsync(3, bootLimit: 1, token);
        deployment.DatabaseUrl = database.Url(Password);
        deployment.Settings = deployment.Settings with { SupabaseCli = LocalPrograms.InRepository(RepositoryFiles.Root, "unused").SupabaseCli };
        var target = deployment.Target();
        // Written so that running it again would add a row instead of failing: only a count can tell once from per host.
        var release = deployment.Release(migrations: new Dictionary<string, string>
        {
            ["20260101000000_runs.sql"] = """
                create table if not exists ssh_migration_runs (id serial primary key, at timestamptz not null default clock_timestamp());
                insert into ssh_migration_runs default values;
                """,
        });

        var result = await target.DeployAsync(release, SshDeployment.Options(), token);

        Assert.Equal(Outcomes.Succeeded, result!.Outcome);
        Assert.Equal("1", await QueryAsync(database, "select count(*) from ssh_migration_runs", token));
        Assert.Equal("1", await QueryAsync(database, "select count(*) from supabase_migrations.schema_migrations where version = '20260101000000'", token));
        var ranAt = DateTimeOffset.FromUnixTimeMilliseconds((long)double.Parse(
            await QueryAsync(database, "select extract(epoch from at) * 1000 from ssh_migration_runs", token), CultureInfo.InvariantCulture));
        var record = (await target.Journal.ReadDeploymentsAsync(token)).Single(x => x.Id == result.DeploymentId);
        var migrate = Assert.Single(record.Stages, x => x.Stage == Stage.Migrate);
        var switches = record.Stages.Where(x => x.Stage == Stage.Switch).ToList();
        Assert.Equal(3, switches.Count); // one group per host
        Assert.True(migrate.StartedAt <= ranAt && ranAt < switches.Min(x => x.StartedAt!.Value),
            $"the migration ran at {ranAt:O}: the migrate stage started at {migrate.StartedAt:O}, the first switch at {switches.Min(x => x.StartedAt):O}");
        Assert.Equal([release.Id, release.Id, release.Id], await Task.WhenAll(Enumerable.Range(0, 3).Select(x => deployment.ServedAsync(x, token))));
        Assert.DoesNotContain(deployment.Output, x => x.Contains(Password, StringComparison.Ordinal));

        // Deployed again (--force): already applied, so nothing runs again.
        Assert.Equal(Outcomes.Succeeded, (await target.DeployAsync(release, SshDeployment.Options(force: true), token))!.Outcome);
        Assert.Equal("1", await QueryAsync(database, "select count(*) from ssh_migration_runs", token));
    }

    static async Task<string> QueryAsync(PostgresCluster database, string sql, CancellationToken token)
    {
        var result = await new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand("/usr/lib/postgresql/15/bin/psql",
            ["-h", "127.0.0.1", "-p", database.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-At", "-c", sql])
        {
            Environment = new Dictionary<string, string?> { ["PGPASSWORD"] = Password }, LogOutput = false, Timeout = TimeSpan.FromSeconds(30),
        }, token);
        return result.StandardOutput.Trim();
    }
}
