using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Ssh;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>Deploys and rollbacks to real sshd hosts on 127.0.0.x: rolling switch, switch-back, one deployer at a time.</summary>
public sealed class SshDeployTests
{
    /// <summary>Requests every host's edge in a loop until stopped; counts answers that are not 200.</summary>
    sealed class ClientLoop : IAsyncDisposable
    {
        readonly CancellationTokenSource _stop = new();
        readonly List<Task> _loops = [];
        int _ok, _failed;
        public List<string> Failures { get; } = [];

        public ClientLoop(IEnumerable<Uri> edges)
        {
            foreach (var edge in edges)
                _loops.Add(Task.Run(async () =>
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                    while (!_stop.IsCancellationRequested)
                    {
                        try
                        {
                            using var response = await http.GetAsync(new Uri(edge, "/"), _stop.Token);
                            if (response.IsSuccessStatusCode)
                                Interlocked.Increment(ref _ok);
                            else
                                Fail($"{edge}: HTTP {(int)response.StatusCode}");
                        }
                        catch (Exception exception) when (!_stop.IsCancellationRequested)
                        {
                            Fail($"{edge}: {exception.Message}");
                        }
                        catch (OperationCanceledException)
                        {
                        }
                    }
                }));
        }

        void Fail(string why)
        {
            Interlocked.Increment(ref _failed);
            lock (Failures)
                Failures.Add(why);
        }

        public int Ok => _ok;
        public int Failed => _failed;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_loops);
        }
    }

    [Fact]
    public async Task Three_hosts_deploy_and_roll_back_one_at_a_time_without_a_failed_request()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(3, bootLimit: 1, token);
        var target = deployment.Target();
        var first = deployment.Release();
        var second = deployment.Release();
        await target.DeployAsync(first, SshDeployment.Options(), token);
        Assert.Equal([first.Id, first.Id, first.Id], await ServedAsync(deployment, 3, token));

        var loop = new ClientLoop(Enumerable.Range(0, 3).Select(deployment.EdgeUrl));
        var deployed = await target.DeployAsync(second, SshDeployment.Options(), token);
        var afterDeploy = await ServedAsync(deployment, 3, token);
        var rolledBack = await target.RollbackAsync(null, SshDeployment.Options(), token);
        var afterRollback = await ServedAsync(deployment, 3, token);
        await loop.DisposeAsync();

        Assert.Equal(Outcomes.Succeeded, deployed!.Outcome);
        Assert.Equal([second.Id, second.Id, second.Id], afterDeploy);
        Assert.Equal((Outcomes.Succeeded, first.Id), (rolledBack!.Outcome, rolledBack.ReleaseId));
        Assert.Equal([first.Id, first.Id, first.Id], afterRollback);
        Assert.True(loop.Failed == 0, string.Join("\n", loop.Failures.Take(10)));
        Assert.True(loop.Ok > 0);
        // Three groups of one: three switch stages, journaled on the first host.
        var record = (await target.Journal.ReadDeploymentsAsync(token)).Single(x => x.Id == deployed.DeploymentId);
        Assert.Equal(3, record.Stages.Count(x => x.Stage == Stage.Switch && x.Outcome == Outcomes.Succeeded));
        Assert.True(File.Exists(Path.Combine(deployment.Root(0), "journal.jsonl")));
        Assert.False(File.Exists(Path.Combine(deployment.Root(1), "journal.jsonl")));
        var status = await target.StatusAsync(token);
        Assert.Equal(first.Id, status.CurrentRelease);
        Assert.Equal(3, status.Units.Count(x => x.Name.StartsWith("web-" + first.Id, StringComparison.Ordinal)));
        Assert.Equal(3, status.Units.Select(x => x.Host).Distinct().Count());
        // The secret reached the hosts only in their 0600 env files.
        foreach (var host in Enumerable.Range(0, 3))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(deployment.Root(host), "shared", "env")));
        Assert.DoesNotContain(deployment.Output, x => x.Contains(SshDeployment.Canary, StringComparison.Ordinal));
    }

    static async Task<string?[]> ServedAsync(SshDeployment deployment, int hosts, CancellationToken token) =>
        await Task.WhenAll(Enumerable.Range(0, hosts).Select(x => deployment.ServedAsync(x, token)));
}
