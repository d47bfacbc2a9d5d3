using System.Diagnostics;

namespace MeshHook.Tooling;

/// <summary>
/// A kernel lock between processes (and threads): an exclusive open of a guard file, which .NET takes as flock(LOCK_EX).
/// The kernel releases it when the holder closes it or dies, so it never goes stale; the guard file itself stays (0600).
/// Hold it only for a few file operations (read, check, write temp, rename): waiting is bounded by a real-time timeout.
/// </summary>
public static class FileGuard
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits for the guard; <paramref name="protects"/> names what it protects, for the error when it times out.</summary>
    public static IDisposable Take(string guardPath, string protects, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        // Real time, not an injected clock: this bounds a hang (a stopped process holding the guard), it is no logic.
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(guardPath, options);
            }
            catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (Stopwatch.GetElapsedTime(started) > limit)
                    throw new UserFacingException(
                        $"Could not lock {guardPath} within {limit.TotalSeconds:0} s ({exception.Message}): another process keeps it locked " +
                        $"while changing {protects} (stopped or hung in that moment?). Stop that process and try again.");
                Thread.Sleep(1);
            }
        }
    }
}
