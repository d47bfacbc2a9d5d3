using System.Text.Json;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using Renci.SshNet.Common;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// The environment lock as a file on the first host (<c>&lt;deployPath&gt;/deploy.lock</c>), so every deployer, from any
/// machine, sees it. Taken by an atomic create: the holder's details are written to a private temporary file, which is
/// then renamed onto the lock with SFTP's plain rename (which never replaces an existing file), so the lock is never seen
/// half written and two deployers cannot both take it. The holder renews a lease inside it while it runs. A lock is stale
/// when its holder is on this machine and its process is gone, or when its lease expired (its holder stopped renewing: it
/// is gone on its own machine); a stale lock is taken over by renaming it aside, then taking it as above.
/// </summary>
public sealed class SshEnvironmentLock(SshConnections connections, SshHost host, string deployPath, TimeProvider time) : IEnvironmentLock, IAsyncDisposable
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);

    public TimeSpan Lease { get; init; } = DefaultLease;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    string LockPath => deployPath + "/deploy.lock";

    public string Location => $"{host.Name}:{LockPath}";

    /// <summary>What the lock file holds: the holder, and until when its lease runs.</summary>
    public sealed record Content(LockHolder Holder, DateTimeOffset LeaseUntil);

    CancellationTokenSource? _renewal;
    Task? _renewing;

    public async Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        var connection = await connections.ToAsync(host, cancellationToken);
        // Looked at over SFTP first: a command costs a login shell on the host, and the folder is there after the first deploy.
        if (!await connection.Sftp.ExistsAsync(deployPath, cancellationToken))
            await connection.CheckAsync(new RemoteCommand("mkdir", "-p", "--", deployPath), cancellationToken);
        var warnings = new List<string>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await TryCreateAsync(holder, cancellationToken))
            {
                StartRenewing(holder);
                return warnings;
            }
            var current = await ReadContentAsync(cancellationToken);
            if (current is null)
                continue; // released between our attempt and our look: try again at once
            if (IsStale(current))
            {
                if (await TakeAsideAsync(current, cancellationToken))
                    warnings.Add($"Took over a stale lock on {Location}: {current.Holder.Describe()} is no longer running " +
                                 $"(lease expired {current.LeaseUntil:u}).");
                continue;
            }
            if (time.GetUtcNow() >= deadline)
                throw new LockHeldException(
                    $"The environment is locked by {current.Holder.Describe()} ({Location}). " +
                    (wait > TimeSpan.Zero ? $"Waited {wait.TotalSeconds:0} s. " : "") +
                    "Wait for it (--lock-wait <seconds>), or if you are sure it is gone: ./build.sh Unlock --environment <env>.",
                    current.Holder);
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    async Task<bool> TryCreateAsync(LockHolder holder, CancellationToken cancellationToken)
    {
        var connection = await connections.ToAsync(host, cancellationToken);
        var temporary = $"{LockPath}.{holder.DeploymentId}.new";
        await WriteAsync(connection, temporary, new Content(holder, time.GetUtcNow() + Lease), cancellationToken);
        try
        {
            // SFTP's plain rename fails when the target exists: the atomic create.
            await Task.Run(() => connection.Sftp.RenameFile(temporary, LockPath, isPosix: false), cancellationToken);
            return true;
        }
        catch (SshException)
        {
            connection.Sftp.DeleteFile(temporary);
            return false;
        }
    }

    static async Task WriteAsync(SshHostConnection connection, string path, Content content, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(content, Json);
        await using var stream = await connection.Sftp.OpenAsync(path, FileMode.Create, FileAccess.Write, cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        connection.Sftp.ChangePermissions(path, 600); // SSH.NET takes the octal digits: 0600
    }

    /// <summary>Moves a stale lock aside; true when what was moved is the stale lock we judged (else it is put back).</summary>
    async Task<bool> TakeAsideAsync(Content stale, CancellationToken cancellationToken)
    {
        var connection = await connections.ToAsync(host, cancellationToken);
        var aside = $"{LockPath}.stale-{Guid.NewGuid():N}";
        try
        {
            connection.Sftp.RenameFile(LockPath, aside, isPosix: false);
        }
        catch (SshException)
        {
            return false; // someone else moved it first
        }
        var moved = Parse(connection.Sftp.ReadAllText(aside));
        if (moved?.Holder.DeploymentId != stale.Holder.DeploymentId)
        {
            // Another deployer took it over and took it between our look and our move: give it back.
            try
            {
                connection.Sftp.RenameFile(aside, LockPath, isPosix: false);
            }
            catch (SshException)
            {
            }
            return false;
        }
        connection.Sftp.DeleteFile(aside);
        await Task.CompletedTask;
        return true;
    }

    bool IsStale(Content content) =>
        content.Holder.Host == Environment.MachineName && !new ProcessIdentity(content.Holder.Pid, content.Holder.ProcessStartTicks).IsAlive()
        || time.GetUtcNow() > content.LeaseUntil;

    public async Task<bool> IsStaleAsync(LockHolder holder, CancellationToken cancellationToken)
    {
        var content = await ReadContentAsync(cancellationToken);
        return content is not null && content.Holder.DeploymentId == holder.DeploymentId && IsStale(content);
    }

    void StartRenewing(LockHolder holder)
    {
        _renewal = new CancellationTokenSource();
        var token = _renewal.Token;
        _renewing = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Lease / 3, time, token);
                    var connection = await connections.ToAsync(host, token);
                    var temporary = $"{LockPath}.{holder.DeploymentId}.renew";
                    if ((await ReadContentAsync(token))?.Holder.DeploymentId != holder.DeploymentId)
                        return; // released or force-unlocked: nothing of ours to renew
                    await WriteAsync(connection, temporary, new Content(holder, time.GetUtcNow() + Lease), token);
                    connection.Sftp.RenameFile(temporary, LockPath, isPosix: true);
                }
                catch (Exception exception) when (exception is OperationCanceledException or SshException or Tooling.UserFacingException)
                {
                    // A failed renewal is retried; the lease covers three periods.
                }
            }
        });
    }

    async Task StopRenewingAsync()
    {
        if (_renewal is null)
            return;
        await _renewal.CancelAsync();
        try
        {
            await (_renewing ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
        }
        _renewal.Dispose();
        (_renewal, _renewing) = (null, null);
    }

    public async Task ReleaseAsync(string deploymentId, CancellationToken cancellationToken)
    {
        await StopRenewingAsync();
        var current = await ReadContentAsync(cancellationToken);
        if (current?.Holder.DeploymentId != deploymentId)
            return;
        var connection = await connections.ToAsync(host, cancellationToken);
        connection.Sftp.DeleteFile(LockPath);
    }

    public async Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken) => (await ReadContentAsync(cancellationToken))?.Holder;

    public async Task<LockHolder?> ForceReleaseAsync(CancellationToken cancellationToken)
    {
        var current = await ReadContentAsync(cancellationToken);
        var connection = await connections.ToAsync(host, cancellationToken);
        if (connection.Sftp.Exists(LockPath))
            connection.Sftp.DeleteFile(LockPath);
        return current?.Holder;
    }

    public async Task<Content?> ReadContentAsync(CancellationToken cancellationToken)
    {
        var connection = await connections.ToAsync(host, cancellationToken);
        try
        {
            return Parse(connection.Sftp.ReadAllText(LockPath));
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
    }

    static Content? Parse(string text)
    {
        try
        {
            var content = JsonSerializer.Deserialize<Content>(text, Json);
            return content?.Holder is { DeploymentId: not null, Host: not null } ? content : null;
        }
        catch (JsonException)
        {
            // Never half written (created by rename): an unreadable lock is someone else's file; treat it as expired.
            return new Content(new LockHolder("unreadable", "unknown", null, 0, 0, "unknown", "unknown", DateTimeOffset.MinValue), DateTimeOffset.MinValue);
        }
    }

    public ValueTask DisposeAsync() => new(StopRenewingAsync());
}
