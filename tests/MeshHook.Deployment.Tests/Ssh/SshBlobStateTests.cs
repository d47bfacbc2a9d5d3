using Azure.Storage.Blobs;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets;
using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Deployment.Tests.CloudState;
using MeshHook.Deployment.Tests.Infrastructure;
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

    [Fact]
    public async Task An_environment_json_naming_a_state_container_is_made_into_a_target_keeping_its_lock_and_journal_there()
    {
        var token = TestContext.Current.CancellationToken;
        var container = await azurite.NewContainerAsync(token);
        await using var deployment = await SshDeployment.CreateAsync(1, bootLimit: 1, token);
        var options = deployment.Settings.Options;
        var host = options.Hosts[0];
        // What a user writes, with the fixture's host: SshTarget.Create reads every setting from it (the state container's
        // address is the real Azure form; the test-only parameter hands the target Azurite's client for it instead).
        var json = $$"""
            {
              "target": {
                "kind": "ssh",
                "hosts": [ { "address": "{{host.Address}}", "port": {{host.Port}}, "user": "{{host.User}}", "roles": ["web", "workers"],
                             "deployPath": "{{host.DeployPath}}", "hostKey": "{{options.HostKeys[host][0]}}" } ],
                "deployPath": "/unused",
                "key": { "secret": "SSH_PRIVATE_KEY" },
                "edgePort": {{options.EdgePort}},
                "releasePorts": [{{options.ReleasePorts.First}}, {{options.ReleasePorts.Last}}],
                "state": "https://stmeshhook01.blob.core.windows.net/{{container.Name}}"
              },
              "url": "http://{{host.Address}}:{{options.EdgePort}}",
              "health": { "path": "/health", "intervalSeconds": 1, "timeoutSeconds": 30, "requestTimeoutSeconds": 5 },
              "configuration": { "MESHHOOK_ENVIRONMENT": "staging", "FIXTURE_TOKEN": { "secret": "FIXTURE_TOKEN" } },
              "secrets": { "provider": "env" },
              "database": { "kind": "external", "url": { "secret": "DATABASE_URL" } },
              "protection": { "requireApproval": false, "allowDirtyReleases": true },
              "retention": { "releases": 3 }
            }
            """;
        var environment = EnvironmentConfiguration.Parse(json, EnvironmentName.Staging, "infra/environments/staging/environment.json");
        var variables = new Dictionary<string, string>
        {
            ["SSH_PRIVATE_KEY"] = deployment.Hosts.ClientKey,
            ["FIXTURE_TOKEN"] = SshDeployment.Canary,
            ["DATABASE_URL"] = "postgresql://unused@127.0.0.1:1/none", // the fixture release has no migrations
        };
        var masker = new SecretMasker();
        var lines = new List<string>();
        var log = new DeploymentLog(x => { lock (lines) lines.Add(x); }, x => { lock (lines) lines.Add("warning: " + x); });
        var context = new DeploymentContext
        {
            RepositoryRoot = Path.GetDirectoryName(deployment.Store.Directory)!, // the fixture's temp folder: .deploy/ goes there
            Environment = environment,
            Configuration = new DeploymentConfiguration(environment, SecretProviders.Create(environment, "/unused", variables, masker, TimeProvider.System), log),
            Store = deployment.Store,
            Tools = new ToolRunner(masker),
            Variables = variables,
            Programs = LocalPrograms.InRepository(RepositoryFiles.Root, deployment.Settings.EdgeAssembly),
            Time = TimeProvider.System,
            Log = log,
        };
        var release = deployment.Release();

        await using var target = SshTarget.Create(context, () => azurite.Container(container.Name));
        var deployed = await target.DeployAsync(release, SshDeployment.Options(), token);

        Assert.Equal(Outcomes.Succeeded, deployed!.Outcome);
        Assert.Equal(release.Id, await deployment.ServedAsync(0, token));
        Assert.Contains(container.Name, target.Lock.Location);
        var journal = (await container.GetBlobClient("staging/journal.jsonl").DownloadContentAsync(token)).Value.Content.ToString();
        Assert.Contains(deployed.DeploymentId, journal);
        Assert.False(File.Exists(Path.Combine(deployment.Root(0), "journal.jsonl")));
        Assert.False(File.Exists(Path.Combine(deployment.Root(0), "deploy.lock")));
        Assert.Null(await target.Lock.ReadHolderAsync(token));
        // The key and the secret value reached neither the journal nor the output.
        foreach (var secret in new[] { SshDeployment.Canary, deployment.Hosts.ClientKey.Split('\n')[1] })
        {
            Assert.DoesNotContain(secret, journal);
            Assert.DoesNotContain(lines, x => x.Contains(secret, StringComparison.Ordinal));
        }
    }
}
