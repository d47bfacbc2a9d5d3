using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Tests.Releases;

namespace MeshHook.Deployment.Tests.Deploying;

public sealed class LockTests : IDisposable
{
    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    static LockHolder Holder(string id, int pid, long ticks, string host) =>
        new(id, "deploy", "r1", pid, ticks, host, "tester", DateTimeOffset.UtcNow);

    static LockHolder Me(string id) => Holder(id, Environment.ProcessId, ProcessIdentity.Current.StartTicks, Environment.MachineName);

    [Fact]
    public async Task The_lock_is_taken_and_released_and_holds_its_holder()
    {
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System);

        Assert.Empty(await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken));
        Assert.Equal("d1", environmentLock.ReadHolder()!.DeploymentId);

        environmentLock.Release("d1");
        Assert.False(File.Exists(environmentLock.Path));
    }

    [Fact]
    public async Task A_live_holder_makes_the_next_deploy_fail_at_once_naming_it_and_nothing_changes()
    {
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System);
        await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken);
        var before = File.ReadAllText(environmentLock.Path);

        var error = await Assert.ThrowsAsync<LockHeldException>(() =>
            environmentLock.AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken));

        Assert.Contains("locked by deploy d1 of r1 by tester@", error.Message);
        Assert.Contains("--lock-wait", error.Message);
        Assert.Contains("./build.sh Unlock", error.Message);
        Assert.Equal(before, File.ReadAllText(environmentLock.Path));
    }

    [Fact]
    public async Task Lock_wait_takes_the_lock_once_the_holder_releases_it()
    {
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System);
        await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        var waiting = environmentLock.AcquireAsync(Me("d2"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        environmentLock.Release("d1");
        await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal("d2", environmentLock.ReadHolder()!.DeploymentId);
    }

    [Fact]
    public async Task A_lock_whose_process_is_gone_is_taken_over_with_a_warning()
    {
        var path = _temp.Combine("deploy.lock");
        var dead = Holder("d-dead", 999_999, 1, Environment.MachineName);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(dead, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        var environmentLock = new EnvironmentLock(path, TimeProvider.System);

        var warnings = await environmentLock.AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Contains("Took over a stale lock: deploy d-dead", Assert.Single(warnings));
        Assert.Equal("d2", environmentLock.ReadHolder()!.DeploymentId);
    }

    [Fact]
    public async Task A_reused_pid_does_not_keep_a_stale_lock_alive()
    {
        var path = _temp.Combine("deploy.lock");
        // Our own pid, but another start time: the process that wrote the lock is gone and its pid was reused.
        var reused = Holder("d-old", Environment.ProcessId, ProcessIdentity.Current.StartTicks - 1, Environment.MachineName);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(reused, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

        var warnings = await new EnvironmentLock(path, TimeProvider.System).AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Single(warnings);
    }

    [Fact]
    public async Task A_lock_held_on_another_host_is_never_taken_over()
    {
        var path = _temp.Combine("deploy.lock");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(Holder("d-remote", 1, 1, "another-host"),
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

        var error = await Assert.ThrowsAsync<LockHeldException>(() =>
            new EnvironmentLock(path, TimeProvider.System).AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken));

        Assert.Contains("another-host", error.Message);
    }

    [Fact]
    public async Task Unlock_removes_any_holder()
    {
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), TimeProvider.System);
        await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal("d1", environmentLock.ForceRelease()!.DeploymentId);
        Assert.Null(environmentLock.ReadHolder());
    }

    [Fact]
    public async Task Separate_processes_waiting_for_the_lock_never_hold_it_at_once_and_never_crash()
    {
        const int processes = 4, rounds = 40;
        var work = _temp.Combine("work");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "counter"), "0");
        var lockFile = _temp.Combine("env", "deploy.lock");

        var results = await Contenders.RunTogetherAsync(work,
            Enumerable.Range(0, processes).Select(i => new[] { "lock", lockFile, work, $"c{i}", rounds.ToString() }).ToList(),
            TestContext.Current.CancellationToken);

        var report = Contenders.Describe(results);
        Assert.All(results, x => Assert.True(x.ExitCode == 0, report));
        // No stale-lock take-over either: every holder was alive the whole time.
        Assert.DoesNotContain("warning", report);
        Assert.Equal((processes * rounds).ToString(), File.ReadAllText(Path.Combine(work, "counter")));
        Assert.False(File.Exists(lockFile));
    }
}
