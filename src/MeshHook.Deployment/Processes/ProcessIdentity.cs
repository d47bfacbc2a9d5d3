using System.Diagnostics;

namespace MeshHook.Deployment.Processes;

/// <summary>
/// A process as pid plus start time, so a reused pid is not mistaken for the process that wrote a lock or pid file.
/// </summary>
public sealed record ProcessIdentity(int Pid, long StartTicks)
{
    public static ProcessIdentity Current { get; } = Of(Environment.ProcessId)!;

    /// <summary>The identity of a running process, or null when no process has that pid.</summary>
    public static ProcessIdentity? Of(int pid)
    {
        var ticks = StartTicksOf(pid);
        return ticks is null ? null : new ProcessIdentity(pid, ticks.Value);
    }

    /// <summary>The same process is still running (not exited, not a zombie, pid not reused).</summary>
    public bool IsAlive() => StartTicksOf(Pid) == StartTicks;

    static long? StartTicksOf(int pid)
    {
        if (pid <= 0)
            return null;
        if (OperatingSystem.IsLinux())
        {
            // /proc/<pid>/stat: field 3 is the state, field 22 the start time in clock ticks since boot.
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[0] is "Z" or "X" ? null : long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                return null;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
