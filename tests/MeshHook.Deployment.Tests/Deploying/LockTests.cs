using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Tests.Releases;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

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
        var clock = new PollingClock();
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), clock);
        await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        var waiting = environmentLock.AcquireAsync(Me("d2"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(3, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromSeconds(0.75)));
        Assert.False(waiting.IsCompleted);
        environmentLock.Release("d1");
        await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromSeconds(10));
        await waiting;

        Assert.Equal("d2", environmentLock.ReadHolder()!.DeploymentId);
    }

    [Fact]
    public async Task Lock_wait_gives_up_after_the_wait_counted_on_the_injected_clock()
    {
        var clock = new PollingClock();
        var environmentLock = new EnvironmentLock(_temp.Combine("deploy.lock"), clock);
        await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        var waiting = environmentLock.AcquireAsync(Me("d2"), TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        // 250 ms polls: the 20th poll is at 5 s, where it gives up.
        Assert.Equal(20, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromMinutes(1)));
        var error = await Assert.ThrowsAsync<LockHeldException>(() => waiting);
        Assert.Contains("Waited 5 s", error.Message);
        Assert.Equal("d1", environmentLock.ReadHolder()!.DeploymentId);
    }

    [Fact]
    public async Task An_empty_lock_file_with_an_old_date_is_taken_over_only_after_the_grace_counted_from_first_sight()
    {
        // What a waiter saw when it looked at a lock another run had just created (or just deleted: a missing file reads as
        // dated 1601): the date said "long ago", so it deleted a lock that was being written.
        var path = _temp.Combine("deploy.lock");
        File.WriteAllText(path, "");
        File.SetLastWriteTimeUtc(path, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var clock = new PollingClock();
        var environmentLock = new EnvironmentLock(path, clock);

        var waiting = environmentLock.AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(39, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromSeconds(9.75)));
        Assert.False(waiting.IsCompleted);
        Assert.Equal("", File.ReadAllText(path));
        Assert.Equal(1, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromMinutes(1)));
        Assert.Contains("could not be read for 10 s", Assert.Single(await waiting));
        Assert.Equal("d2", environmentLock.ReadHolder()!.DeploymentId);
    }

    [Fact]
    public async Task An_unreadable_lock_that_changes_starts_the_grace_again()
    {
        var path = _temp.Combine("deploy.lock");
        File.WriteAllText(path, "{\"deploymentId\":");
        var clock = new PollingClock();
        var environmentLock = new EnvironmentLock(path, clock);

        var waiting = environmentLock.AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken);
        Assert.Equal(20, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromSeconds(5)));
        File.WriteAllText(path, "{\"deploymentId\": \"d1\"");
        Assert.Equal(40, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromSeconds(10)));
        Assert.False(waiting.IsCompleted);

        Assert.Equal(1, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromMinutes(1)));
        Assert.Single(await waiting);
    }

    [Fact]
    public async Task A_lock_object_missing_its_holder_details_is_unreadable_not_a_live_holder()
    {
        var path = _temp.Combine("deploy.lock");
        File.WriteAllText(path, "{}");
        var clock = new PollingClock();
        var environmentLock = new EnvironmentLock(path, clock);

        Assert.Null(environmentLock.ReadHolder());
        var waiting = environmentLock.AcquireAsync(Me("d2"), TimeSpan.Zero, TestContext.Current.CancellationToken);
        Assert.Equal(40, await clock.PollsUntilDoneAsync(waiting, TimeSpan.FromMinutes(1)));
        Assert.Single(await waiting);
    }

    [Fact]
    public async Task A_take_over_looks_at_the_lock_only_under_the_guard_so_it_never_replaces_a_lock_taken_meanwhile()
    {
        var path = _temp.Combine("deploy.lock");
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(Holder("d-dead", 999_999, 1, Environment.MachineName), json));
        var environmentLock = new EnvironmentLock(path, TimeProvider.System);

        // Another run is between its look at the stale lock and its replacement (it holds the guard, a kernel lock) ...
        var guard = new FileStream(environmentLock.GuardPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var waiter = Task.Run(() => environmentLock.AcquireAsync(Me("d-late"), TimeSpan.Zero, TestContext.Current.CancellationToken),
            TestContext.Current.CancellationToken);
        // ... and replaces it with its own live lock, then lets go.
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(Me("d-other"), json));
        await guard.DisposeAsync();

        // The late waiter looks only now: a live holder, not the stale one it would otherwise have replaced.
        var error = await Assert.ThrowsAsync<LockHeldException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        Assert.Equal("d-other", error.Holder!.DeploymentId);
        Assert.Equal("d-other", environmentLock.ReadHolder()!.DeploymentId);
    }

    [Fact]
    public void Unlock_of_an_environment_without_a_lock_creates_nothing()
    {
        var environmentLock = new EnvironmentLock(_temp.Combine("never-deployed", "deploy.lock"), TimeProvider.System);

        Assert.Null(environmentLock.ForceRelease());
        environmentLock.Release("d1");

        Assert.False(Directory.Exists(_temp.Combine("never-deployed")));
    }

    [Fact]
    public async Task The_lock_file_is_private_and_never_left_half_written()
    {
        var environmentLock = new EnvironmentLock(_temp.Combine("env", "deploy.lock"), TimeProvider.System);

        await environmentLock.AcquireAsync(Me("d1"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(environmentLock.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_temp.Combine("env")));
        Assert.False(File.Exists(environmentLock.Path + ".new"));
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

    /// <summary>
    /// A fake clock that knows when the lock's poll is asleep (its delay created a timer), so a test advances it exactly one
    /// poll at a time and changes files only while the waiter sleeps: no race between the test and the waiter, no sleeping.
    /// </summary>
    sealed class PollingClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        readonly Channel<bool> _asleep = Channel.CreateUnbounded<bool>();
        bool _known;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _asleep.Writer.TryWrite(true);
            return timer;
        }

        /// <summary>
        /// Wakes the waiter one poll interval at a time until it is done or <paramref name="span"/> has passed; returns the
        /// polls woken, with the waiter asleep again (or done).
        /// </summary>
        public async Task<int> PollsUntilDoneAsync(Task waiting, TimeSpan span)
        {
            for (var polls = 0; ; polls++)
            {
                if (!await AsleepAsync(waiting) || polls * EnvironmentLock.DefaultPollInterval >= span)
                    return polls;
                _known = false;
                Advance(EnvironmentLock.DefaultPollInterval);
            }
        }

        async Task<bool> AsleepAsync(Task waiting)
        {
            if (_known)
                return true;
            await Task.WhenAny(_asleep.Reader.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask(), waiting)
                .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            return _known = _asleep.Reader.TryRead(out _);
        }
    }
}
