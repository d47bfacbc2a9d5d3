using System.Text.Json;
using MeshHook.Deployment.Processes;

namespace MeshHook.Deployment.Locking;

/// <summary>
/// One deploy at a time per environment. The lock file is created atomically (exclusive create) and holds the holder's
/// details. A lock whose process is gone (same host; pid and start time checked, so a reused pid does not count) is
/// stale and taken over with a warning; a live holder makes the deploy fail at once naming it, or wait up to
/// <c>wait</c> (polling). A takeover is guarded by a second exclusive file so two runs never both take over.
/// </summary>
public sealed class EnvironmentLock(string path, TimeProvider time)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A lock file still empty after this long belongs to a run that died between creating and writing it.</summary>
    static readonly TimeSpan UnwrittenGrace = TimeSpan.FromSeconds(10);

    public string Path => path;

    public LockHolder? ReadHolder() => TryRead(out var holder) ? holder : null;

    /// <summary>Takes the lock, or throws <see cref="LockHeldException"/>. Returns the warnings to show (stale takeovers).</summary>
    public async Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            if (TryCreate(holder))
                return warnings;

            if (!TryRead(out var current))
            {
                // Being written right now, or left empty by a crash.
                if (time.GetUtcNow() - File.GetLastWriteTimeUtc(path) > UnwrittenGrace && TakeOver(null, holder))
                {
                    warnings.Add($"Took over the lock {path}: it was left empty by a run that died while creating it.");
                    return warnings;
                }
            }
            else if (IsStale(current!))
            {
                if (TakeOver(current, holder))
                {
                    warnings.Add($"Took over a stale lock: {current!.Describe()} is no longer running.");
                    return warnings;
                }
            }
            else if (time.GetUtcNow() >= deadline)
            {
                throw new LockHeldException(
                    $"The environment is locked by {current!.Describe()}. " +
                    (wait > TimeSpan.Zero ? $"Waited {wait.TotalSeconds:0} s. " : "") +
                    "Wait for it (--lock-wait <seconds>), or if you are sure it is gone: ./build.sh Unlock --environment <env>.",
                    current);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    public void Release(string deploymentId)
    {
        if (TryRead(out var holder) && holder!.DeploymentId == deploymentId)
            File.Delete(path);
    }

    /// <summary>Removes the lock whoever holds it (Unlock). Returns the holder it removed, if any.</summary>
    public LockHolder? ForceRelease()
    {
        var holder = ReadHolder();
        if (File.Exists(path))
            File.Delete(path);
        return holder;
    }

    public bool IsStale(LockHolder holder) =>
        holder.Host == Environment.MachineName && !new ProcessIdentity(holder.Pid, holder.ProcessStartTicks).IsAlive();

    bool TryCreate(LockHolder holder)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(holder, Json));
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    bool TakeOver(LockHolder? stale, LockHolder holder)
    {
        var guard = path + ".takeover";
        try
        {
            using (new FileStream(guard, FileMode.CreateNew, FileAccess.Write))
            {
            }
        }
        catch (IOException) when (File.Exists(guard))
        {
            // Another run is taking over; a guard left by a crash expires.
            if (time.GetUtcNow() - File.GetLastWriteTimeUtc(guard) > UnwrittenGrace)
                File.Delete(guard);
            return false;
        }

        try
        {
            // Still the same stale holder? (Someone may have taken over and released in between.)
            var same = TryRead(out var current) ? current == stale : stale is null;
            if (!same)
                return false;
            File.Delete(path);
            return TryCreate(holder);
        }
        finally
        {
            File.Delete(guard);
        }
    }

    bool TryRead(out LockHolder? holder)
    {
        holder = null;
        try
        {
            var text = File.ReadAllText(path);
            holder = text.Length == 0 ? null : JsonSerializer.Deserialize<LockHolder>(text, Json);
            return holder is not null;
        }
        catch (Exception exception) when (exception is IOException or JsonException)
        {
            return false;
        }
    }
}
