using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MeshHook.Tooling;

/// <summary>
/// Each tool runs in a session (and so a process group) of its own, started through util-linux's <c>setsid</c>. The
/// terminal's Ctrl+C goes to the foreground group only, i.e. to the build and no longer to its tools or their children;
/// the build decides how they stop: SIGTERM to the whole group, a short grace, then SIGKILL to the group.
/// </summary>
/// <remarks>
/// .NET's Process.Start cannot call setsid/setpgid in the child. <c>setsid</c> is in util-linux, which is "Essential"
/// on Debian (present on every install, no extra package). A child of .NET is never a group leader, so setsid does not
/// fork: it calls setsid() and execs the tool, which keeps the pid we know and becomes the group's leader (pgid = pid).
/// <c>--wait</c> only matters if it ever did fork (it then waits and passes on the exit code). Without setsid (macOS,
/// Windows) tools start as before and are stopped by walking the process tree.
/// </remarks>
internal static class ProcessGroups
{
    const int Sigterm = 15, Sigkill = 9;

    static readonly Lazy<string?> SetsidPath = new(() =>
        OperatingSystem.IsLinux() ? ExecutableLocator.Find("setsid") : null);

    // util-linux's setpriv sets the tool's parent-death signal: a build killed with SIGKILL (which nothing can catch) still
    // takes its tools down, although they no longer share its process group.
    static readonly Lazy<string?> SetprivPath = new(() =>
        OperatingSystem.IsLinux() ? ExecutableLocator.Find("setpriv") : null);

    static readonly ConcurrentDictionary<int, Process> Running = new();

    /// <summary>The launcher and its arguments to put before the tool, or null when tools cannot get a group of their own.</summary>
    public static IReadOnlyList<string>? Launcher =>
        SetsidPath.Value is not { } setsid ? null
        : SetprivPath.Value is { } setpriv ? [setsid, "--wait", "--", setpriv, "--pdeathsig", "TERM", "--"]
        : [setsid, "--wait", "--"];

    /// <summary>
    /// Starts a tool. With a parent-death signal the start happens on one long-lived thread: the kernel sends the signal
    /// when the thread that forked the tool ends, and a thread-pool thread that retires while the tool runs would stop it.
    /// </summary>
    public static void Start(Process process)
    {
        if (SetprivPath.Value is null || SetsidPath.Value is null)
        {
            process.Start();
            return;
        }
        var request = new StartRequest(process);
        Starter.Value.Add(request);
        request.Done.Wait();
        request.Done.Dispose();
        if (request.Error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(request.Error);
    }

    sealed class StartRequest(Process process)
    {
        public Process Process { get; } = process;
        public Exception? Error { get; set; }
        public ManualResetEventSlim Done { get; } = new();
    }

    static readonly Lazy<BlockingCollection<StartRequest>> Starter = new(() =>
    {
        var requests = new BlockingCollection<StartRequest>();
        new Thread(() =>
        {
            foreach (var request in requests.GetConsumingEnumerable())
            {
                try
                {
                    request.Process.Start();
                }
                catch (Exception exception)
                {
                    request.Error = exception;
                }
                request.Done.Set();
            }
        }) { IsBackground = true, Name = "tool starter" }.Start();
        return requests;
    });

    /// <summary>
    /// Started through the launcher, a file without execute permission no longer fails Process.Start; it is checked here.
    /// </summary>
    public static bool IsExecutable(string file) =>
        OperatingSystem.IsWindows() ||
        (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    public static void Track(Process process) => Running[process.Id] = process;

    public static void Untrack(Process process) => Running.TryRemove(process.Id, out _);

    /// <summary>
    /// Stops a tool: SIGTERM to its group, up to <paramref name="grace"/> for the leader to exit, then SIGKILL to the group
    /// regardless (members may outlive the leader), then the remaining tree (descendants that left the group).
    /// </summary>
    public static async Task StopAsync(Process process, bool ownGroup, TimeSpan grace)
    {
        var pid = process.Id;
        if (!OperatingSystem.IsWindows())
        {
            // Descendants that left the group (a setsid of their own, a daemonising server) are found now, while their
            // parents still live: once the leader is gone they are reparented and no tree walk finds them.
            var others = Descendants(pid);
            Signal(pid, Sigterm, ownGroup);
            foreach (var (other, started) in others)
                SignalIfSame(other, started, Sigterm);
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                // Grace is over.
            }
            Signal(pid, Sigkill, ownGroup);
            foreach (var (other, started) in others)
                SignalIfSame(other, started, Sigkill);
        }
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>SIGKILL to every tool group still running (a forced exit: the build is about to end at once).</summary>
    public static void KillAll()
    {
        foreach (var pid in Running.Keys)
            Signal(pid, Sigkill, group: SetsidPath.Value is not null);
    }

    static void Signal(int pid, int signal, bool group)
    {
        // Before setsid() ran in the child the group does not exist yet: then signal the process itself.
        if (!group || Kill(-pid, signal) != 0)
            Kill(pid, signal);
    }

    /// <summary>Every descendant of <paramref name="root"/> with its start time (to never signal a reused pid), from /proc.</summary>
    static List<(int Pid, long Started)> Descendants(int root)
    {
        var children = new Dictionary<int, List<(int Pid, long Started)>>();
        if (!Directory.Exists("/proc"))
            return [];
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || Stat(pid) is not { } stat)
                continue;
            if (!children.TryGetValue(stat.Parent, out var list))
                children[stat.Parent] = list = [];
            list.Add((pid, stat.Started));
        }
        var result = new List<(int Pid, long Started)>();
        var pending = new Queue<int>([root]);
        while (pending.Count > 0 && result.Count < 10_000)
        {
            foreach (var child in children.GetValueOrDefault(pending.Dequeue()) ?? [])
            {
                result.Add(child);
                pending.Enqueue(child.Pid);
            }
        }
        return result;
    }

    /// <summary>Parent pid and start time (clock ticks since boot) from /proc/&lt;pid&gt;/stat; null once it is gone.</summary>
    static (int Parent, long Started)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid ... starttime(22nd)": comm may hold spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1]), long.Parse(fields[19]));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    static void SignalIfSame(int pid, long started, int signal)
    {
        if (Stat(pid) is { } stat && stat.Started == started)
            Kill(pid, signal);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
