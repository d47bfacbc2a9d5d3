using System.Globalization;
using System.Runtime.InteropServices;

namespace MeshHook.Deployment.Processes;

/// <summary>
/// The process group a started program leads (the launcher gives it its own session, so its group id is its pid). The
/// group outlives its leader while a child lives on: members are found as the processes in that group that started no
/// earlier than the leader, so a group id reused after the group is gone is never signalled.
/// </summary>
public static partial class ProcessGroup
{
    /// <summary>Any process of the record's group (its leader or one of its children) is still running.</summary>
    public static bool Any(ProcessRecord record) => record.IsAlive() || Members(record).Count > 0;

    /// <summary>The running members of the group (leader included), by pid.</summary>
    public static IReadOnlyList<int> Members(ProcessRecord record)
    {
        if (!OperatingSystem.IsLinux())
            return record.IsAlive() ? [record.Pid] : [];
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                // /proc/<pid>/stat after the command's closing parenthesis: state, ppid, pgrp, ... field 22 the start time.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is "Z" or "X")
                    continue;
                if (int.Parse(fields[2], CultureInfo.InvariantCulture) == record.Pid &&
                    long.Parse(fields[19], CultureInfo.InvariantCulture) >= record.StartTicks)
                    members.Add(pid);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process exited while the folder was read.
            }
        }
        return members;
    }

    /// <summary>Sends <paramref name="signal"/> to the whole group; to the members one by one when the group cannot be signalled.</summary>
    public static void Signal(ProcessRecord record, int signal)
    {
        if (Kill(-record.Pid, signal) == 0)
            return;
        foreach (var pid in Members(record))
            Kill(pid, signal);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
