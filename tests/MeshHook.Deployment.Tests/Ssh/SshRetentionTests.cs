using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>Retention on real sshd hosts: old releases go on every host as clean-up steps (printed by --dry-run), never what is live or the rollback target.</summary>
public sealed class SshRetentionTests
{
    [Fact]
    public async Task Releases_past_retention_are_removed_on_every_host_but_never_the_live_or_the_rollback_target()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(2, bootLimit: 2, token);
        deployment.Settings = deployment.Settings with { RetainReleases = 2 };
        var target = deployment.Target();
        // Retention keeps the newest by id (creation time, then commit): packaged within one second, they are deployed in id order.
        var releases = Enumerable.Range(0, 4).Select(_ => deployment.Release()).OrderBy(x => x.Id, StringComparer.Ordinal).ToList();
        foreach (var release in releases.Take(3))
            Assert.Equal(Outcomes.Succeeded, (await target.DeployAsync(release, SshDeployment.Options(), token))!.Outcome);
        // Three staged, retention 2: the first is still the journal's earlier known-good (protected) until a fourth arrives.
        Assert.Equal(Ids(releases, 0, 1, 2), Staged(deployment, 0));

        deployment.Output.Clear();
        Assert.Null(await target.DeployAsync(releases[3], SshDeployment.Options() with { DryRun = true }, token));
        foreach (var host in deployment.Settings.Options.Hosts)
            Assert.Contains(deployment.Output, x => x.Contains($"on {host.Name}: remove releases/{releases[0].Id} (retention)", StringComparison.Ordinal));
        Assert.DoesNotContain(deployment.Output, x => x.Contains($"remove releases/{releases[1].Id}", StringComparison.Ordinal));
        Assert.Equal(Ids(releases, 0, 1, 2), Staged(deployment, 0)); // a dry run removes nothing

        Assert.Equal(Outcomes.Succeeded, (await target.DeployAsync(releases[3], SshDeployment.Options(), token))!.Outcome);
        // Kept on every host: the newest two (the new and the previous, which a rollback goes back to) and the journal's
        // earlier known-good one; removed: the oldest.
        for (var host = 0; host < 2; host++)
            Assert.Equal(Ids(releases, 1, 2, 3), Staged(deployment, host));
        var record = (await target.Journal.ReadDeploymentsAsync(token)).Last();
        Assert.Contains(record.Stages, x => x.Stage == Stage.CleanUp && x.Outcome == Outcomes.Succeeded);

        // The rollback target survived retention: roll back to it, then the same rule applies from there.
        var rolledBack = await target.RollbackAsync(null, SshDeployment.Options(), token);
        Assert.Equal((Outcomes.Succeeded, releases[2].Id), (rolledBack!.Outcome, rolledBack.ReleaseId));
        Assert.Equal([releases[2].Id, releases[2].Id], await Task.WhenAll(Enumerable.Range(0, 2).Select(x => deployment.ServedAsync(x, token))));
        for (var host = 0; host < 2; host++)
            Assert.Equal(Ids(releases, 2, 3), Staged(deployment, host));
    }

    static string[] Ids(IReadOnlyList<ReleaseManifest> releases, params int[] indexes) => indexes.Select(x => releases[x].Id).ToArray();

    static string[] Staged(SshDeployment deployment, int host) =>
        Directory.GetDirectories(Path.Combine(deployment.Root(host), "releases")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
}
