using System.Text.Json;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Secrets;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Locking;

/// <summary>
/// One deploy at a time per environment. The lock file holds the holder's details (read by Status and Unlock without any
/// locking: it is always replaced whole, by rename, so it is never seen half written). Every change to it (take, take over,
/// release, unlock) happens while holding a kernel lock on a guard file beside it (<c>deploy.lock.guard</c>, an exclusive
/// open): the kernel releases that lock when its process dies, so it never goes stale, and a take-over can never delete a
/// lock that another run created between the take-over's look and its delete.
/// A lock is stale when its holder's process is gone (same host; pid and start time checked, so a reused pid does not
/// count), or when the file cannot be read for <see cref="UnreadableGrace"/> counted from when this waiter first saw it so
/// (never from the file's date). A live holder makes the deploy fail at once naming it, or wait up to <c>wait</c>, polling
/// every <c>pollInterval</c> on the injected clock.
/// </summary>
public sealed class EnvironmentLock(string path, TimeProvider time, TimeSpan? pollInterval = null) : IEnvironmentLock
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A lock file unreadable (empty, cut short, not a lock) this long belongs to a run that died writing it.</summary>
    public static readonly TimeSpan UnreadableGrace = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    public string Path => path;

    public string Location => path;

    public Task ReleaseAsync(string deploymentId, CancellationToken cancellationToken)
    {
        Release(deploymentId);
        return Task.CompletedTask;
    }

    public Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken) => Task.FromResult(ReadHolder());

    public Task<bool> IsStaleAsync(LockHolder holder, CancellationToken cancellationToken) => Task.FromResult(IsStale(holder));

    public Task<LockHolder?> ForceReleaseAsync(CancellationToken cancellationToken) => Task.FromResult(ForceRelease());

    public string GuardPath => path + ".guard";

    public LockHolder? ReadHolder() => ReadFile().Holder;

    /// <summary>Takes the lock, or throws <see cref="LockHeldException"/>. Returns the warnings to show (stale takeovers).</summary>
    public async Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        var unreadable = new UnreadableSighting();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attempt = TryAcquire(holder, unreadable);
            if (attempt.Warnings is { } warnings)
                return warnings;

            // An unreadable lock is waited on for its grace whatever the wait: it is taken over then, not reported as held.
            if (attempt.Holder is { } current && time.GetUtcNow() >= deadline)
            {
                throw new LockHeldException(
                    $"The environment is locked by {current.Describe()}. " +
                    (wait > TimeSpan.Zero ? $"Waited {wait.TotalSeconds:0} s. " : "") +
                    "Wait for it (--lock-wait <seconds>), or if you are sure it is gone: ./build.sh Unlock --environment <env>.",
                    current);
            }

            await Task.Delay(pollInterval ?? DefaultPollInterval, time, cancellationToken);
        }
    }

    public void Release(string deploymentId)
    {
        // No lock file, nothing of ours to release (and no folder or guard file to create).
        if (!File.Exists(path))
            return;
        using var guard = TakeGuard();
        if (ReadFile().Holder?.DeploymentId == deploymentId)
            File.Delete(path);
    }

    /// <summary>Removes the lock whoever holds it (Unlock). Returns the holder it removed, if any.</summary>
    public LockHolder? ForceRelease()
    {
        if (!File.Exists(path))
            return null;
        using var guard = TakeGuard();
        var holder = ReadFile().Holder;
        File.Delete(path);
        return holder;
    }

    public bool IsStale(LockHolder holder) =>
        holder.Host == Environment.MachineName && !new ProcessIdentity(holder.Pid, holder.ProcessStartTicks).IsAlive();

    /// <summary>One look at the lock, under the guard: taken (with warnings), or held by <c>Holder</c>, or unreadable (both null).</summary>
    (IReadOnlyList<string>? Warnings, LockHolder? Holder) TryAcquire(LockHolder holder, UnreadableSighting unreadable)
    {
        using var guard = TakeGuard();
        var (text, current) = ReadFile();
        if (text is null)
        {
            unreadable.Forget();
            return Write(holder, replace: false) ? ([], null) : (null, null);
        }
        if (current is not null)
        {
            unreadable.Forget();
            if (!IsStale(current))
                return (null, current);
            Write(holder, replace: true);
            return ([$"Took over a stale lock: {current.Describe()} is no longer running."], null);
        }

        var now = time.GetUtcNow();
        if (now - unreadable.FirstSeen(text, now) < UnreadableGrace)
            return (null, null);
        Write(holder, replace: true);
        return ([$"Took over the lock {path}: it could not be read for {UnreadableGrace.TotalSeconds:0} s (empty or not a lock file), " +
                 "so the run that created it died while writing it."], null);
    }

    /// <summary>Writes the holder to a temporary file and renames it into place, so readers never see a partial lock.</summary>
    bool Write(LockHolder holder, bool replace)
    {
        var temporary = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFiles.FileMode;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(holder, Json));
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: replace);
            return true;
        }
        catch (IOException) when (!replace)
        {
            // Created by a run that does not take the guard (an older version): look again at the next poll.
            File.Delete(temporary);
            return false;
        }
    }

    IDisposable TakeGuard()
    {
        PrivateFiles.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        return FileGuard.Take(GuardPath, $"the environment lock {path}");
    }

    /// <summary>The lock file's text (null: there is none) and its holder (null: none, or unreadable).</summary>
    (string? Text, LockHolder? Holder) ReadFile()
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, null);
        }
        try
        {
            var holder = text.Length == 0 ? null : JsonSerializer.Deserialize<LockHolder>(text, Json);
            // Every field is needed to judge staleness and to show who holds it; a partial object is not a lock.
            return (text, holder is { DeploymentId: not null, Kind: not null, Host: not null, User: not null, Pid: > 0 } ? holder : null);
        }
        catch (JsonException)
        {
            return (text, null);
        }
    }

    /// <summary>When this waiter first saw the lock file unreadable with this content (new content starts the grace again).</summary>
    sealed class UnreadableSighting
    {
        string? _text;
        DateTimeOffset _since;

        public DateTimeOffset FirstSeen(string text, DateTimeOffset now)
        {
            if (_text != text)
                (_text, _since) = (text, now);
            return _since;
        }

        public void Forget() => _text = null;
    }
}
