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

    [Fact]
    public async Task Three_hosts_of_one_machine_deploy_with_a_release_port_range_just_big_enough_for_them()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(3, bootLimit: 3, token);
        // Six ports for three hosts of two processes each: every host probes the same six, so each gets them only if the
        // target shares them out (each host picking its own two would collide with a probability of 97%).
        var ports = new MeshHook.Deployment.Environments.PortRange(deployment.Settings.Options.ReleasePorts.First, deployment.Settings.Options.ReleasePorts.First + 5);
        deployment.Settings = deployment.Settings with { Options = deployment.Settings.Options with { ReleasePorts = ports } };
        var target = deployment.Target();
        var release = deployment.Release();

        var states = await target.ReadHostsToStartAsync(token);
        var deployed = await target.DeployAsync(release, SshDeployment.Options(), token);

        Assert.Single(states.Select(x => x.Loopback).Distinct());
        Assert.NotNull(states[0].Loopback);
        Assert.Equal(Enumerable.Range(ports.First, 6), states.SelectMany(x => x.FreePorts).Order());
        Assert.Equal(Outcomes.Succeeded, deployed!.Outcome);
        Assert.Equal([release.Id, release.Id, release.Id], await ServedAsync(deployment, 3, token));
        // Status reads the hosts without asking for free ports: it works with every port of the range taken.
        var status = await target.StatusAsync(token);
        var listening = status.Units.Where(x => x.Release == release.Id && x.Name != "edge").Select(x => x.Port).ToList();
        Assert.True(listening.Count == 6, string.Join("\n", status.Units.Select(x => x.Describe())));
        Assert.All(listening, x => Assert.True(x is { } port && ports.Contains(port), $"{x} outside {ports}"));
        Assert.Equal(6, listening.Distinct().Count());
        // With every port of the range taken, deploying the live release again is still "nothing to do", not an error.
        Assert.Null(await target.DeployAsync(release, SshDeployment.Options(), token));
    }

    /// <summary>Runs <paramref name="action"/> when a stage of that name finishes, the first time only.</summary>
    sealed class OnStage(string stage, Func<Task> action) : IDeploymentObserver
    {
        int _fired;

        public async Task StageFinishedAsync(StageFinished finished, CancellationToken cancellationToken)
        {
            if (finished.Stage == stage && finished.Outcome == Outcomes.Succeeded && Interlocked.Exchange(ref _fired, 1) == 0)
                await action();
        }
    }

    [Fact]
    public async Task A_host_whose_health_check_fails_leaves_every_host_on_the_old_release()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(2, bootLimit: 1, token);
        var target = deployment.Target(healthTimeout: TimeSpan.FromSeconds(8));
        var first = deployment.Release();
        var second = deployment.Release();
        await target.DeployAsync(first, SshDeployment.Options(), token);
        // Once staged, the second host's copy of the new release answers 503 on /health.
        deployment.Observers.Add(new OnStage(Stage.StageRelease, () => File.WriteAllTextAsync(
            Path.Combine(deployment.Root(1), "releases", second.Id, "web", "health-mode.txt"), "503", token)));

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => target.DeployAsync(second, SshDeployment.Options(), token));

        Assert.Equal((Outcomes.Failed, Stage.HealthCheck), (failure.Outcome, failure.Stage));
        Assert.Contains($"on {deployment.Settings.Options.Hosts[1].Name} did not become healthy", failure.Message);
        Assert.Equal([first.Id, first.Id], await ServedAsync(deployment, 2, token));
        var record = (await target.Journal.ReadDeploymentsAsync(token)).Last();
        Assert.Equal(Outcomes.Failed, record.Outcome);
        Assert.DoesNotContain(record.Stages, x => x.Stage == Stage.Switch);
        // Nothing switched anywhere: current still names the first release on both hosts, and the new processes are gone.
        var status = await target.StatusAsync(token);
        Assert.Equal(first.Id, status.CurrentRelease);
        Assert.DoesNotContain(status.Units, x => x.Release == second.Id);
    }

    [Fact]
    public async Task A_host_lost_after_the_first_group_switched_sends_the_switched_group_back()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(3, bootLimit: 1, token);
        var target = deployment.Target();
        var first = deployment.Release();
        var second = deployment.Release();
        await target.DeployAsync(first, SshDeployment.Options(), token);
        deployment.Observers.Add(new OnStage(Stage.Switch, () =>
        {
            deployment.Hosts.Kill(deployment.Hosts.Servers[1]);
            return Task.CompletedTask;
        }));

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => target.DeployAsync(second, SshDeployment.Options(), token));

        Assert.True((Outcomes.RolledBack, Stage.Switch) == (failure.Outcome, failure.Stage), $"{failure.Outcome} at '{failure.Stage}': {failure.Message}");
        // The first host had switched and came back; the lost host's edge still serves what it served; the third never moved.
        Assert.Equal([first.Id, first.Id, first.Id], await ServedAsync(deployment, 3, token));
        var record = (await target.Journal.ReadDeploymentsAsync(token)).Last();
        Assert.Equal(Outcomes.RolledBack, record.Outcome);
        var back = Assert.Single(record.Stages, x => x.Stage!.StartsWith("switch back", StringComparison.Ordinal));
        Assert.Equal(($"switch back {deployment.Settings.Options.Hosts[0].Name} to {first.Id}", Outcomes.Succeeded), (back.Stage, back.Outcome));
        Assert.Equal(2, record.Stages.Count(x => x.Stage == Stage.Switch)); // the first group succeeded, the second failed
    }

    [Fact]
    public async Task A_second_deployer_while_one_runs_is_refused_naming_the_first()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(1, bootLimit: 1, token);
        var target = deployment.Target();
        var other = deployment.Target(); // another deployer: its own connections
        var release = deployment.Release();
        Exception? refused = null;
        deployment.Observers.Add(new OnStage(Stage.StageRelease, async () =>
            refused = await Record.ExceptionAsync(() => other.DeployAsync(release, SshDeployment.Options(force: true), token))));

        var result = await target.DeployAsync(release, SshDeployment.Options(), token);

        Assert.Equal(Outcomes.Succeeded, result!.Outcome);
        var held = Assert.IsType<LockHeldException>(refused);
        Assert.Equal(result.DeploymentId, held.Holder?.DeploymentId);
        Assert.Null(await target.Lock.ReadHolderAsync(token));
    }

    static async Task<string?[]> ServedAsync(SshDeployment deployment, int hosts, CancellationToken token) =>
        await Task.WhenAll(Enumerable.Range(0, hosts).Select(x => deployment.ServedAsync(x, token)));
}
