using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MeshHook.Deployment.CloudState;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Locking;

/// <summary>
/// The cloud environments' lock: a lease on the blob <c>&lt;environment&gt;/deploy.lock</c> in the deployment-state container.
/// Azure grants a lease to one client at a time, so a laptop and two CI runners can never deploy one environment at once.
/// The lease is finite (60 s by default) and renewed in the background while held, so a deployer that dies (or loses the
/// network) stops holding it within a lease period: an expired (or broken) lease is stale and the next deployer takes it
/// over with a warning naming the previous holder. The holder's details are the blob's metadata, set under the lease and
/// cleared on release; so metadata found by a new holder means the previous one never released. If renewal fails, the
/// holder learns it through <see cref="LeaseLost"/>.
/// </summary>
public sealed class BlobLeaseLock : IEnvironmentLock, IAsyncDisposable
{
    /// <summary>Azure accepts finite leases of 15 to 60 s.</summary>
    public static readonly TimeSpan MinimumLeaseDuration = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>Each look at a held lease is a request to the storage account: once every 2 s is plenty for --lock-wait.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    readonly BlobContainerClient _container;
    readonly BlobClient _blob;
    readonly SecretMasker _masker;
    readonly TimeProvider _time;
    readonly TimeSpan _leaseDuration;
    readonly TimeSpan _pollInterval;
    readonly Lock _gate = new();
    Held? _held;

    public BlobLeaseLock(BlobContainerClient container, string environment, SecretMasker masker, TimeProvider time,
        TimeSpan? leaseDuration = null, TimeSpan? pollInterval = null)
    {
        _leaseDuration = leaseDuration ?? DefaultLeaseDuration;
        if (_leaseDuration < MinimumLeaseDuration || _leaseDuration > DefaultLeaseDuration)
            throw new ArgumentOutOfRangeException(nameof(leaseDuration), _leaseDuration, "Azure blob leases last 15 to 60 s.");
        _container = container;
        _blob = container.GetBlobClient(BlobState.LockBlobName(environment));
        _masker = masker;
        _time = time;
        _pollInterval = pollInterval ?? DefaultPollInterval;
    }

    /// <summary>The lock of <paramref name="environment"/> in the container <paramref name="containerName"/> of the account at <paramref name="accountUrl"/>, signed in with Entra ID.</summary>
    public BlobLeaseLock(Uri accountUrl, string containerName, string environment, TokenCredential credential, SecretMasker masker, TimeProvider time)
        : this(BlobState.Container(accountUrl, containerName, credential), environment, masker, time)
    {
    }

    public string Location => BlobState.Describe(_blob.Uri);

    public TimeSpan LeaseDuration => _leaseDuration;

    /// <summary>
    /// Cancelled when the lease this instance holds could not be renewed (another run broke it, or the storage account
    /// could not be reached for as long as the lease lasts): the deploy must stop, it no longer excludes others.
    /// <see cref="CancellationToken.None"/> while nothing is held.
    /// </summary>
    public CancellationToken LeaseLost
    {
        get
        {
            lock (_gate)
                return _held?.Lost.Token ?? CancellationToken.None;
        }
    }

    /// <summary>Why <see cref="LeaseLost"/> was cancelled (null: it was not).</summary>
    public string? LeaseLostReason
    {
        get
        {
            lock (_gate)
                return _held?.LostReason;
        }
    }

    /// <summary>
    /// Renews the lease now, to know (not assume from the last background renewal, up to a third of a lease ago) that it is
    /// still ours right before a step that must not happen without it, such as moving traffic. False, with
    /// <see cref="LeaseLost"/> cancelled, when it was broken or taken over; false too when nothing is held.
    /// </summary>
    public async Task<bool> EnsureHeldAsync(CancellationToken cancellationToken)
    {
        Held? held;
        lock (_gate)
            held = _held;
        if (held is null || held.Lost.IsCancellationRequested)
            return false;
        try
        {
            await Call("renewing the environment lock", () => held.Lease.RenewAsync(cancellationToken: cancellationToken));
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 409 or 412)
        {
            held.Lose(LostMessage(exception));
            return false;
        }
    }

    string LostMessage(RequestFailedException exception) =>
        _masker.Apply($"The lease on {Location} was lost ({exception.ErrorCode}): it was broken (./build.sh Unlock) or taken over after it expired. This deploy no longer holds the environment.");

    public async Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lease = _blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
            if (await TryLeaseAsync(lease, cancellationToken))
                return await TakeAsync(holder, lease, cancellationToken);

            var current = await ReadHolderAsync(cancellationToken);
            if (_time.GetUtcNow() >= deadline)
            {
                throw new LockHeldException(
                    $"The environment is locked by {current?.Describe() ?? "a lease without holder details (just being taken, or taken by hand)"} ({Location}). " +
                    (wait > TimeSpan.Zero ? $"Waited {wait.TotalSeconds:0} s. " : "") +
                    "Wait for it (--lock-wait <seconds>), or if you are sure it is gone: ./build.sh Unlock --environment <env>.",
                    current);
            }
            await Task.Delay(_pollInterval, _time, cancellationToken);
        }
    }

    /// <summary>Acquires the lease (creating the lock blob first if there is none); false while someone else's lease is live.</summary>
    async Task<bool> TryLeaseAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Call("taking the environment lock", () => lease.AcquireAsync(_leaseDuration, cancellationToken: cancellationToken));
                return true;
            }
            catch (RequestFailedException exception) when (exception.Status == 409)
            {
                // LeaseAlreadyPresent: a live lease (an expired or broken one is granted to us by the service).
                return false;
            }
            catch (RequestFailedException exception) when (exception.Status == 404 && exception.ErrorCode != "ContainerNotFound" && attempt < 3)
            {
                await CreateBlobAsync(cancellationToken);
            }
        }
    }

    async Task CreateBlobAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Only if there is none: replacing an existing lock blob would drop its holder's details.
            await Call("creating the lock blob", () => _blob.UploadAsync(BinaryData.Empty,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken));
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            // Created (and maybe leased) by another run meanwhile.
        }
    }

    /// <summary>We hold the lease: reads what the previous holder left, writes our details, starts renewing.</summary>
    async Task<IReadOnlyList<string>> TakeAsync(LockHolder holder, BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        var conditions = new BlobRequestConditions { LeaseId = lease.LeaseId };
        try
        {
            var properties = await Call("reading the lock blob", () => _blob.GetPropertiesAsync(conditions, cancellationToken));
            var previous = HolderMetadata.Read(properties.Value.Metadata);
            await Call("writing the lock holder", () => _blob.SetMetadataAsync(HolderMetadata.Write(holder), conditions, cancellationToken));

            var held = new Held(holder.DeploymentId, lease);
            lock (_gate)
            {
                _held?.Stop.Cancel();
                _held = held;
            }
            held.Renewing = Task.Run(() => RenewAsync(held), CancellationToken.None);
            return previous is null
                ? []
                : [$"Took over the environment lock {Location}: the lease of {previous.Describe()} expired or was broken (that run stopped renewing it: it died or lost its connection)."];
        }
        catch
        {
            await ReleaseLeaseAsync(lease, clearHolder: false);
            throw;
        }
    }

    /// <summary>Renews the lease every third of its duration until released; tells the holder (<see cref="LeaseLost"/>) when it cannot.</summary>
    async Task RenewAsync(Held held)
    {
        var interval = _leaseDuration / 3;
        var validUntil = _time.GetUtcNow() + _leaseDuration;
        while (true)
        {
            try
            {
                await Task.Delay(interval, _time, held.Stop.Token);
                await held.Lease.RenewAsync(cancellationToken: held.Stop.Token);
                validUntil = _time.GetUtcNow() + _leaseDuration;
            }
            catch (OperationCanceledException) when (held.Stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException exception) when (exception.Status is 404 or 409 or 412)
            {
                held.Lose(LostMessage(exception));
                return;
            }
            catch (Exception exception)
            {
                // A network or service hiccup: try again at the next interval while the lease may still be ours.
                if (validUntil - _time.GetUtcNow() <= interval)
                {
                    var explained = BlobState.Explain(exception, _container, _blob.Uri, "renewing the environment lock", _masker)?.Message
                                    ?? _masker.Apply(exception.Message.Split('\n')[0]);
                    held.Lose($"The lease on {Location} could not be renewed before it expires, so another run may take the environment: {explained}");
                    return;
                }
            }
        }
    }

    public async Task ReleaseAsync(string deploymentId, CancellationToken cancellationToken)
    {
        Held? held;
        lock (_gate)
        {
            held = _held?.DeploymentId == deploymentId ? _held : null;
            if (held is not null)
                _held = null;
        }
        // Only our own lease id can release: a lease this instance does not hold (another run's) is never touched.
        if (held is not null)
            await StopAsync(held, release: true);
    }

    async Task StopAsync(Held held, bool release)
    {
        await held.Stop.CancelAsync();
        await held.Renewing;
        if (release)
            await ReleaseLeaseAsync(held.Lease, clearHolder: true);
        held.Dispose();
    }

    async Task ReleaseLeaseAsync(BlobLeaseClient lease, bool clearHolder)
    {
        try
        {
            if (clearHolder)
            {
                await Call("clearing the lock holder", () => _blob.SetMetadataAsync(new Dictionary<string, string>(),
                    new BlobRequestConditions { LeaseId = lease.LeaseId }, CancellationToken.None));
            }
            await Call("releasing the environment lock", () => lease.ReleaseAsync(cancellationToken: CancellationToken.None));
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            // No longer ours (expired and taken over, or broken): nothing of ours to release.
        }
    }

    public async Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken))?.Holder;

    /// <summary>Stale: the lease is not live (expired, broken, released), or it is now someone else's.</summary>
    public async Task<bool> IsStaleAsync(LockHolder holder, CancellationToken cancellationToken)
    {
        var current = await ReadAsync(cancellationToken);
        return current is null || current.Value.State != LeaseState.Leased || current.Value.Holder?.DeploymentId != holder.DeploymentId;
    }

    /// <summary>Breaks the lease whoever holds it (Unlock): its holder learns it at its next renewal. Returns the holder it removed.</summary>
    public async Task<LockHolder?> ForceReleaseAsync(CancellationToken cancellationToken)
    {
        if (await ReadAsync(cancellationToken) is not { } current)
            return null;
        try
        {
            await Call("breaking the environment lock", () => _blob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken));
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            // No lease (released, or already broken or expired).
        }
        try
        {
            // Fails on a blob leased again meanwhile (a lease is needed to change it): that holder's details stay.
            await Call("clearing the lock holder", () => _blob.SetMetadataAsync(new Dictionary<string, string>(), cancellationToken: cancellationToken));
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
        }
        return current.Holder;
    }

    /// <summary>The lock blob's lease state and holder (null: there is no lock blob).</summary>
    async Task<(LeaseState State, LockHolder? Holder)?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await Call("reading the environment lock", () => _blob.GetPropertiesAsync(cancellationToken: cancellationToken))).Value;
            return (properties.LeaseState, HolderMetadata.Read(properties.Metadata));
        }
        catch (RequestFailedException exception) when (exception.Status == 404 && exception.ErrorCode != "ContainerNotFound")
        {
            return null;
        }
    }

    /// <summary>Stops renewing; a lease still held is released (a deploy that ends without releasing must not block the next for a lease period).</summary>
    public async ValueTask DisposeAsync()
    {
        Held? held;
        lock (_gate)
            (held, _held) = (_held, null);
        if (held is not null)
            await StopAsync(held, release: true);
    }

    Task<T> Call<T>(string doing, Func<Task<T>> call) => BlobState.CallAsync(_container, _blob.Uri, doing, _masker, call);

    sealed class Held(string deploymentId, BlobLeaseClient lease) : IDisposable
    {
        public string DeploymentId { get; } = deploymentId;
        public BlobLeaseClient Lease { get; } = lease;
        public CancellationTokenSource Stop { get; } = new();
        public CancellationTokenSource Lost { get; } = new();
        public Task Renewing { get; set; } = Task.CompletedTask;
        public string? LostReason { get; private set; }

        public void Lose(string reason)
        {
            // The first reason stays: a renewal and an explicit check may both find the lease gone.
            lock (Lost)
                LostReason ??= reason;
            Lost.Cancel();
        }

        public void Dispose() => Stop.Dispose();
    }
}

/// <summary>
/// <see cref="LockHolder"/> as blob metadata: one entry per field. Metadata values must be ASCII, so each value is
/// percent-encoded (UTF-8), which keeps them readable in the portal and round-trips any user or host name.
/// </summary>
internal static class HolderMetadata
{
    public static IDictionary<string, string> Write(LockHolder holder)
    {
        var metadata = new Dictionary<string, string>
        {
            ["deploymentid"] = holder.DeploymentId,
            ["kind"] = holder.Kind,
            ["pid"] = holder.Pid.ToString(CultureInfo.InvariantCulture),
            ["processstartticks"] = holder.ProcessStartTicks.ToString(CultureInfo.InvariantCulture),
            ["host"] = holder.Host,
            ["user"] = holder.User,
            ["startedat"] = holder.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (holder.Release is not null)
            metadata["release"] = holder.Release;
        return metadata.ToDictionary(x => x.Key, x => Uri.EscapeDataString(x.Value));
    }

    /// <summary>The holder, or null when the metadata holds none (a free lock) or not all of it.</summary>
    public static LockHolder? Read(IDictionary<string, string> metadata)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in metadata)
            values[key] = Uri.UnescapeDataString(value);
        if (!values.TryGetValue("deploymentid", out var id) || !values.TryGetValue("kind", out var kind) || !values.TryGetValue("host", out var host)
            || !values.TryGetValue("user", out var user)
            || !int.TryParse(values.GetValueOrDefault("pid"), CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(values.GetValueOrDefault("processstartticks"), CultureInfo.InvariantCulture, out var ticks)
            || !DateTimeOffset.TryParse(values.GetValueOrDefault("startedat"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var startedAt))
            return null;
        return new LockHolder(id, kind, values.GetValueOrDefault("release"), pid, ticks, host, user, startedAt);
    }
}
