using Azure.Storage.Blobs;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Deployment.Tests.CloudState;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// An ssh environment whose lock and journal live in a deployment-state blob container (target.state) instead of the
/// first host: real sshd hosts, Azurite over https with Entra ID tokens.
/// </summary>
public sealed class SshBlobStateTests(Azurite azurite) : IClassFixture<Azurite>
{
    sealed class OnStage(string stage, Func<Task> action) : IDeploymentObserver
    {
        int _fired;

        public async Task StageFinishedAsync(StageFinished finished, CancellationToken cancellationToken)
        {
            if (finished.Stage == stage && Interlocked.Exchange(ref _fired, 1) == 0)
                await action();
        }
    }

    [Fact]
    public async Task The_lock_and_journal_in_blob_storage_are_what_every_deployer_sees_and_nothing_of_them_is_on_the_hosts()
    {
        var token = TestContext.Current.CancellationToken;
        var container = await azurite.NewContainerAsync(token);
        await using var deployment = await SshDeployment.CreateAsync(2, bootLimit: 1, token);
        Func<SshConnections, SshDeploymentState> InBlobs(BlobContainerClient blobs) => _ => SshDeploymentState.InBlobs(blobs, "staging", new SecretMasker(), TimeProvider.System);
        var target = deployment.Target(state: InBlobs(container));
        var other = deployment.Target(state: InBlobs(azurite.Container(container.Name))); // another deployer: its own clients
        var first = deployment.Release();
        var second = deployment.Release();
        Exception? refused = null;
        deployment.Observers.Add(new OnStage(Stage.StageRelease, async () =>
            refused = await Record.ExceptionAsync(() => other.DeployAsync(first, SshDeployment.Options(force: true), token))));

        var deployed = await target.DeployAsync(first, SshDeployment.Options(), token);

        Assert.Equal(Outcomes.Succeeded, deployed!.Outcome);
        var held = Assert.IsType<LockHeldException>(refused); // the second deployer saw the lease, named the first
        Assert.Equal(deployed.DeploymentId, held.Holder?.DeploymentId);
        Assert.Contains(container.Name, target.Lock.Location);
        Assert.True((await container.GetBlobClient("staging/journal.jsonl").ExistsAsync(token)).Value);
        foreach (var host in Enumerable.Range(0, 2))
        {
            Assert.False(File.Exists(Path.Combine(deployment.Root(host), "journal.jsonl")));
            Assert.False(File.Exists(Path.Combine(deployment.Root(host), "deploy.lock")));
        }

        // The other deployer reads the same journal: it deploys, then rolls back to what the first one deployed.
        Assert.Equal(Outcomes.Succeeded, (await other.DeployAsync(second, SshDeployment.Options(), token))!.Outcome);
        var rolledBack = await other.RollbackAsync(null, SshDeployment.Options(), token);
        Assert.Equal((Outcomes.Succeeded, first.Id), (rolledBack!.Outcome, rolledBack.ReleaseId));
        Assert.Equal([first.Id, first.Id], await Task.WhenAll(Enumerable.Range(0, 2).Select(x => deployment.ServedAsync(x, token))));
        var deployments = await target.Journal.ReadDeploymentsAsync(token);
        Assert.Equal([(first.Id, "deploy"), (second.Id, "deploy"), (first.Id, "rollback")], deployments.Select(x => (x.Release!, x.Kind)));
        Assert.All(deployments, x => Assert.Equal(Outcomes.Succeeded, x.Outcome));
        Assert.Null(await target.Lock.ReadHolderAsync(token));
    }
}
