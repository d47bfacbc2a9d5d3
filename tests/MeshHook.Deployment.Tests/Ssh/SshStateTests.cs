using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>The lock and journal on the first host, over real SSH: one deployer at a time from any machine.</summary>
public sealed class SshStateTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    static LockHolder Holder(string id, string machine, int pid, long ticks) =>
        new(id, "deploy", "r-1", pid, ticks, machine, "tester", Start);

    static LockHolder Me(string id) => Holder(id, Environment.MachineName, Environment.ProcessId, ProcessIdentity.Current.StartTicks);

    [Fact]
    public async Task A_second_deployer_is_refused_naming_the_holder_and_gets_the_lock_once_released()
    {
        var token = TestContext.Current.CancellationToken;
        await using var hosts = await SshHosts.StartAsync(1, token);
        var server = hosts.Servers[0];
        await using var first = new SshConnections(hosts.Pins, () => hosts.ClientKey, TimeSpan.FromSeconds(20));
        await using var second = new SshConnections(hosts.Pins, () => hosts.ClientKey, TimeSpan.FromSeconds(20));
        await using var lockA = new SshEnvironmentLock(first, server.Host, server.DeployPath, TimeProvider.System);
        await using var lockB = new SshEnvironmentLock(second, server.Host, server.DeployPath, TimeProvider.System);

        Assert.Empty(await lockA.AcquireAsync(Me("d-first"), TimeSpan.Zero, token));
        var refused = await Assert.ThrowsAsync<LockHeldException>(() => lockB.AcquireAsync(Me("d-second"), TimeSpan.Zero, token));
        Assert.Equal("d-first", refused.Holder?.DeploymentId);
        Assert.Contains($"locked by deploy d-first of r-1 by tester@{Environment.MachineName}", refused.Message);
        Assert.Equal("d-first", (await lockB.ReadHolderAsync(token))?.DeploymentId);
        var mode = File.GetUnixFileMode(Path.Combine(server.DeployPath, "deploy.lock"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);

        await lockB.ReleaseAsync("d-first-not-mine", token); // not the holder: changes nothing
        Assert.NotNull(await lockA.ReadHolderAsync(token));
        await lockA.ReleaseAsync("d-first", token);
        Assert.Empty(await lockB.AcquireAsync(Me("d-second"), TimeSpan.Zero, token));
        Assert.Equal("d-second", (await lockA.ReadHolderAsync(token))?.DeploymentId);
    }

    [Fact]
    public async Task Concurrent_deployers_never_both_hold_the_lock()
    {
        var token = TestContext.Current.CancellationToken;
        await using var hosts = await SshHosts.StartAsync(1, token);
        var server = hosts.Servers[0];
        var pools = Enumerable.Range(0, 4).Select(_ => new SshConnections(hosts.Pins, () => hosts.ClientKey, TimeSpan.FromSeconds(20))).ToList();
        var locks = pools.Select(x => new SshEnvironmentLock(x, server.Host, server.DeployPath, TimeProvider.System)).ToList();

        var outcomes = await Task.WhenAll(locks.Select(async (x, index) =>
        {
            try
            {
                await x.AcquireAsync(Me($"d-{index}"), TimeSpan.Zero, token);
                return true;
            }
            catch (LockHeldException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, x => x);
        foreach (var x in locks)
            await x.DisposeAsync();
        foreach (var x in pools)
            await x.DisposeAsync();
    }

    [Fact]
    public async Task A_lock_whose_holder_is_gone_here_or_whose_lease_expired_elsewhere_is_taken_over_with_a_warning()
    {
        var token = TestContext.Current.CancellationToken;
        await using var hosts = await SshHosts.StartAsync(1, token);
        var server = hosts.Servers[0];
        await using var pool = new SshConnections(hosts.Pins, () => hosts.ClientKey, TimeSpan.FromSeconds(20));
        var clock = new FakeTimeProvider(Start);
        await using var held = new SshEnvironmentLock(pool, server.Host, server.DeployPath, clock);
        await using var taker = new SshEnvironmentLock(pool, server.Host, server.DeployPath, clock);

        // A process of this machine that no longer runs (pid 1's start time never matches a made-up one).
        await held.AcquireAsync(Holder("d-dead", Environment.MachineName, 1, 12345), TimeSpan.Zero, token);
        var warnings = await taker.AcquireAsync(Me("d-next"), TimeSpan.Zero, token);
        Assert.Contains("Took over a stale lock", Assert.Single(warnings));
        await taker.ReleaseAsync("d-next", token);

        // Another machine's deployer: alive as far as we can tell until its lease runs out.
        await held.AcquireAsync(Holder("d-elsewhere", "other-machine", 4242, 1), TimeSpan.Zero, token);
        await Assert.ThrowsAsync<LockHeldException>(() => taker.AcquireAsync(Me("d-next2"), TimeSpan.Zero, token));
        await held.DisposeAsync(); // that deployer dies: it stops renewing its lease (it would keep the lock alive)
        clock.Advance(SshEnvironmentLock.DefaultLease + TimeSpan.FromSeconds(1));
        var takeover = await taker.AcquireAsync(Me("d-next2"), TimeSpan.Zero, token);
        Assert.Contains("d-elsewhere", Assert.Single(takeover));
        Assert.Equal("d-next2", (await taker.ReadHolderAsync(token))?.DeploymentId);
    }

    [Fact]
    public async Task The_journal_on_the_first_host_appends_masked_lines_readable_by_another_deployer()
    {
        var token = TestContext.Current.CancellationToken;
        await using var hosts = await SshHosts.StartAsync(1, token);
        var server = hosts.Servers[0];
        var masker = new SecretMasker();
        masker.Register("s3cret-value-123");
        await using var one = new SshConnections(hosts.Pins, () => hosts.ClientKey, TimeSpan.FromSeconds(20));
        await using var two = new SshConnections(hosts.Pins, () => hosts.ClientKey, TimeSpan.FromSeconds(20));
        var writer = new SshJournal(one, server.Host, server.DeployPath, masker);

        await writer.AppendAsync(new JournalEntry { Type = JournalEntryTypes.Started, DeploymentId = "d-1", At = Start, Kind = "deploy", Release = "r-1", Actor = "me" }, token);
        await writer.AppendAsync(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = "d-1", At = Start, Outcome = Outcomes.Failed, Error = "boom s3cret-value-123" }, token);

        var record = Assert.Single(await new SshJournal(two, server.Host, server.DeployPath, new SecretMasker()).ReadDeploymentsAsync(token));
        Assert.Equal(("r-1", Outcomes.Failed), (record.Release, record.Outcome));
        var text = File.ReadAllText(Path.Combine(server.DeployPath, "journal.jsonl"));
        Assert.DoesNotContain("s3cret-value-123", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.DeployPath, "journal.jsonl")));
    }
}
