using System.Threading.Channels;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Testing;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.CloudState;

/// <summary>The cloud environment lock (a blob lease) against Azurite, signed in with Entra ID tokens over https.</summary>
public sealed class BlobLeaseLockTests(Azurite azurite) : IClassFixture<Azurite>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static LockHolder Holder(string id, string user = "tester") =>
        new(id, "deploy", "r1", Environment.ProcessId, ProcessIdentity.Current.StartTicks, Environment.MachineName, user,
            DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    BlobLeaseLock Lock(BlobContainerClient container, TimeProvider? time = null, TimeSpan? lease = null, TimeSpan? poll = null) =>
        new(container, "production", new SecretMasker(), time ?? TimeProvider.System, lease, poll ?? TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task The_lease_is_taken_with_its_holder_as_ascii_metadata_and_released()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        await using var environmentLock = Lock(container);
        var holder = Holder("d1", user: "José Ñúñez");

        Assert.Empty(await environmentLock.AcquireAsync(holder, TimeSpan.Zero, Cancel));

        var blob = container.GetBlobClient("production/deploy.lock");
        var properties = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value;
        Assert.Equal(LeaseState.Leased, properties.LeaseState);
        Assert.Equal(LeaseDurationType.Fixed, properties.LeaseDuration);
        Assert.All(properties.Metadata.Values, value => Assert.True(value.All(char.IsAscii), value));
        Assert.Equal(holder, await environmentLock.ReadHolderAsync(Cancel));
        Assert.False(await environmentLock.IsStaleAsync(holder, Cancel));
        Assert.Equal(blob.Uri.ToString(), environmentLock.Location);

        await environmentLock.ReleaseAsync("d1", Cancel);

        properties = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value;
        Assert.Equal(LeaseState.Available, properties.LeaseState);
        Assert.Null(await environmentLock.ReadHolderAsync(Cancel));
        Assert.True(await environmentLock.IsStaleAsync(holder, Cancel));
    }

    [Fact]
    public async Task A_live_lease_makes_another_deployer_fail_at_once_naming_the_holder()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        await using var laptop = Lock(container);
        await using var runner = Lock(container);
        await laptop.AcquireAsync(Holder("d1", user: "alice"), TimeSpan.Zero, Cancel);

        var error = await Assert.ThrowsAsync<LockHeldException>(() => runner.AcquireAsync(Holder("d2"), TimeSpan.Zero, Cancel));

        Assert.Contains("locked by deploy d1 of r1 by alice@", error.Message);
        Assert.Contains("--lock-wait", error.Message);
        Assert.Contains("./build.sh Unlock", error.Message);
        Assert.Equal("d1", error.Holder!.DeploymentId);
        Assert.Equal("d1", (await runner.ReadHolderAsync(Cancel))!.DeploymentId);
    }

    [Fact]
    public async Task Release_needs_our_own_lease_so_another_deployer_cannot_release_it()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        await using var holder = Lock(container);
        await using var other = Lock(container);
        await holder.AcquireAsync(Holder("d1"), TimeSpan.Zero, Cancel);

        await other.ReleaseAsync("d1", Cancel);
        await holder.ReleaseAsync("d-other", Cancel);

        Assert.Equal("d1", (await other.ReadHolderAsync(Cancel))!.DeploymentId);
        await Assert.ThrowsAsync<LockHeldException>(() => other.AcquireAsync(Holder("d2"), TimeSpan.Zero, Cancel));
    }

    [Fact]
    public async Task Lock_wait_polls_on_the_injected_clock_takes_the_lock_once_released_and_gives_up_after_the_wait()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        await using var holder = Lock(container);
        await holder.AcquireAsync(Holder("d1"), TimeSpan.Zero, Cancel);

        var clock = new SleepingClock();
        await using var waiter = Lock(container, clock, poll: TimeSpan.FromSeconds(2));
        var giveUp = waiter.AcquireAsync(Holder("d2"), TimeSpan.FromSeconds(5), Cancel);
        // Polls at 0, 2, 4 s are refused; the one at 6 s is past the 5 s wait.
        for (var poll = 0; poll < 3; poll++)
        {
            await clock.AsleepAsync(giveUp);
            clock.Advance(TimeSpan.FromSeconds(2));
        }
        var error = await Assert.ThrowsAsync<LockHeldException>(() => giveUp);
        Assert.Contains("Waited 5 s", error.Message);

        var takes = waiter.AcquireAsync(Holder("d3"), TimeSpan.FromSeconds(30), Cancel);
        await clock.AsleepAsync(takes);
        Assert.False(takes.IsCompleted);
        await holder.ReleaseAsync("d1", Cancel);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(await takes.WaitAsync(TimeSpan.FromSeconds(60), Cancel));
        Assert.Equal("d3", (await holder.ReadHolderAsync(Cancel))!.DeploymentId);
    }

    [Fact]
    public async Task Unlock_breaks_the_lease_and_the_holder_learns_it_at_its_next_renewal()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        var clock = new SleepingClock();
        await using var holder = Lock(container, clock);
        await using var unlocker = Lock(container);
        await holder.AcquireAsync(Holder("d1"), TimeSpan.Zero, Cancel);
        var lost = holder.LeaseLost;
        Assert.False(lost.IsCancellationRequested);

        Assert.Equal("d1", (await unlocker.ForceReleaseAsync(Cancel))!.DeploymentId);
        Assert.Null(await unlocker.ReadHolderAsync(Cancel));

        // The holder renews every 20 s (a third of 60 s) on its clock.
        await clock.AsleepAsync(Task.Delay(Timeout.Infinite, lost));
        clock.Advance(TimeSpan.FromSeconds(20));
        await Task.Delay(Timeout.Infinite, lost).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(60), Cancel);
        Assert.Contains("was lost", holder.LeaseLostReason);

        // Released by the next deployer's take, not by the old holder: its release changes nothing.
        await using var next = Lock(container);
        Assert.Empty(await next.AcquireAsync(Holder("d2"), TimeSpan.Zero, Cancel));
        await holder.ReleaseAsync("d1", Cancel);
        Assert.Equal("d2", (await next.ReadHolderAsync(Cancel))!.DeploymentId);
    }

    [Fact]
    public async Task A_killed_deployers_lease_expires_and_is_taken_over_with_a_warning_while_a_live_one_is_renewed()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        // A live deployer of another environment, with the same short lease: renewed, it is still held after the dead one expired.
        await using var live = new BlobLeaseLock(container, "staging", new SecretMasker(), TimeProvider.System, BlobLeaseLock.MinimumLeaseDuration);
        await live.AcquireAsync(Holder("d-live"), TimeSpan.Zero, Cancel);

        var work = Path.Combine(azurite.Work, Guid.NewGuid().ToString("N"));
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var dead = new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand("dotnet", Contenders.Assembly, "blob-hold",
            azurite.AccountUrl.ToString(), container.Name, azurite.CertificatePem, "production", work, "ci-runner-7")
        {
            ThrowOnFailure = false, LogOutput = false, Timeout = TimeSpan.FromMinutes(2),
        }, kill.Token);
        var held = Path.Combine(work, "held", "ci-runner-7");
        while (!File.Exists(held))
        {
            Assert.False(dead.IsCompleted, "blob-hold ended early: " + (dead.IsCompleted ? string.Join('\n', (await dead).Output.Select(x => x.Text)) : ""));
            await Task.Delay(20, Cancel);
        }
        await kill.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dead);

        await using var next = Lock(container, poll: TimeSpan.FromMilliseconds(250));
        var previous = (await next.ReadHolderAsync(Cancel))!;
        Assert.Equal("ci-runner-7", previous.DeploymentId);
        Assert.False(await next.IsStaleAsync(previous, Cancel));

        // Polls until the dead holder's 15 s lease expires (bounded by the wait).
        var warnings = await next.AcquireAsync(Holder("d-next"), TimeSpan.FromSeconds(60), Cancel);

        var warning = Assert.Single(warnings);
        Assert.Contains("deploy ci-runner-7 by ci-runner-7@", warning);
        Assert.Contains("expired", warning);
        Assert.True(await next.IsStaleAsync(previous, Cancel));
        Assert.Equal("d-next", (await next.ReadHolderAsync(Cancel))!.DeploymentId);

        await using var staging = new BlobLeaseLock(container, "staging", new SecretMasker(), TimeProvider.System);
        await Assert.ThrowsAsync<LockHeldException>(() => staging.AcquireAsync(Holder("d-late"), TimeSpan.Zero, Cancel));
        Assert.False(live.LeaseLost.IsCancellationRequested);
    }

    [Fact]
    public async Task Two_deployer_processes_contending_never_hold_the_lease_at_once()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        var work = Path.Combine(azurite.Work, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "counter"), "0");
        const int rounds = 8;
        var names = new[] { "laptop", "ci-1", "ci-2" };

        var results = await Contenders.RunTogetherAsync(work, names
            .Select(name => new[] { "blob-lock", azurite.AccountUrl.ToString(), container.Name, azurite.CertificatePem, "production", work, name, rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .ToList(), Cancel);

        Assert.True(results.All(x => x.ExitCode == 0), Contenders.Describe(results));
        Assert.Equal(names.Length * rounds, int.Parse(File.ReadAllText(Path.Combine(work, "counter")), System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(results.SelectMany(x => x.Output), line => line.Text.Contains("warning", StringComparison.Ordinal));
        Assert.Null(await Lock(container).ReadHolderAsync(Cancel));
    }

    [Fact]
    public async Task A_missing_container_is_named_with_what_creates_it()
    {
        await using var environmentLock = Lock(azurite.Container("no-such-container"));

        var error = await Assert.ThrowsAsync<UserFacingException>(() => environmentLock.AcquireAsync(Holder("d1"), TimeSpan.Zero, Cancel));

        Assert.Contains("container 'no-such-container' does not exist", error.Message);
        Assert.Contains("TerraformApply", error.Message);
    }

    [Fact]
    public async Task A_refused_token_names_the_data_role_and_its_scope_and_never_the_token()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        var credential = new EmulatorClients.FakeEntraCredential(audience: "https://vault.azure.net");
        await using var environmentLock = Lock(azurite.Container(container.Name, credential: credential));

        var error = await Assert.ThrowsAsync<UserFacingException>(() => environmentLock.AcquireAsync(Holder("d1"), TimeSpan.Zero, Cancel));

        Assert.Contains("'Storage Blob Data Contributor'", error.Message);
        Assert.Contains($"containers/{container.Name}", error.Message);
        Assert.NotNull(credential.LastToken);
        Assert.DoesNotContain(credential.LastToken.Split('.')[1], error.ToString());
    }

    [Fact]
    public async Task An_unreachable_account_is_named_by_its_url()
    {
        var port = FreePort();
        var container = EmulatorClients.Container(new Uri($"https://127.0.0.1:{port}/{EmulatorClients.Account}"), "deployments", azurite.CertificatePem, maxRetries: 0);
        await using var environmentLock = Lock(container);

        var error = await Assert.ThrowsAsync<UserFacingException>(() => environmentLock.ReadHolderAsync(Cancel));

        Assert.Contains($"Could not reach https://127.0.0.1:{port}/{EmulatorClients.Account}/deployments/production/deploy.lock", error.Message);
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A fake clock that says when something waits on it (a poll or a renewal asleep), so a test advances it only then.</summary>
    internal sealed class SleepingClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        readonly Channel<bool> _asleep = Channel.CreateUnbounded<bool>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _asleep.Writer.TryWrite(true);
            return timer;
        }

        /// <summary>Waits until a timer was created on this clock (someone is asleep on it); fails if <paramref name="work"/> ends first.</summary>
        public async Task AsleepAsync(Task work)
        {
            var asleep = _asleep.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask();
            var first = await Task.WhenAny(asleep, work).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            if (first == work)
                await work;
            Assert.True(first == asleep, "Nothing went to sleep on the clock.");
        }
    }
}
