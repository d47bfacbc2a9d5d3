using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace MeshHook.Build.Engine.Tests;

/// <summary>
/// Real signals to a real build process: tests/MeshHook.Build.SignalSample, whose LongTool target runs node with a
/// grandchild (sleep 300) and whose Cleanup target is assured after failure. The build is started in a session of its
/// own, as a terminal's foreground job would be, so that "Ctrl+C" is SIGINT to its whole process group.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    const int Sighup = 1, Sigint = 2, Sigkill = 9, Sigterm = 15;

    // Bounds for hangs only; the test synchronises on the files the tool writes.
    static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(20);

    readonly string _root = Directory.CreateTempSubdirectory("meshhook-interrupt-").FullName;

    string State => Path.Combine(_root, "state");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Ctrl_C_to_the_process_group_stops_the_tool_tree_runs_assured_targets_and_exits_130()
    {
        await using var build = await SampleBuild.StartAsync(_root, State, TestContext.Current.CancellationToken);

        var stopped = Stopwatch.StartNew();
        Signal(-build.Pid, Sigint); // what a terminal does on Ctrl+C: the whole foreground group
        var exitCode = await build.WaitForExitAsync(StopLimit);

        Assert.True(exitCode == 130, $"exit code {exitCode}\n{build.Output}");
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        AssertStoppedCleanly(build, "Ctrl+C (SIGINT)");
        // The build stopped its tool with SIGTERM; the terminal's SIGINT did not reach the tool directly.
        Assert.Equal(["SIGTERM"], File.ReadAllLines(Path.Combine(State, "signals")));
    }

    [Fact]
    public async Task SIGTERM_to_the_build_stops_the_tool_tree_runs_assured_targets_and_exits_130()
    {
        await using var build = await SampleBuild.StartAsync(_root, State, TestContext.Current.CancellationToken);

        var stopped = Stopwatch.StartNew();
        Signal(build.Pid, Sigterm); // a CI timeout, `timeout 90 ./build.sh ...`, systemd
        var exitCode = await build.WaitForExitAsync(StopLimit);

        Assert.True(exitCode == 130, $"exit code {exitCode}\n{build.Output}");
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        AssertStoppedCleanly(build, "SIGTERM");
        Assert.Equal(["SIGTERM"], File.ReadAllLines(Path.Combine(State, "signals")));
    }

    [Fact]
    public async Task SIGHUP_when_the_terminal_closes_stops_the_build_like_SIGTERM()
    {
        await using var build = await SampleBuild.StartAsync(_root, State, TestContext.Current.CancellationToken);

        Signal(build.Pid, Sighup);
        var exitCode = await build.WaitForExitAsync(StopLimit);

        Assert.True(exitCode == 130, $"exit code {exitCode}\n{build.Output}");
        AssertStoppedCleanly(build, "SIGHUP");
        Assert.Equal(["SIGTERM"], File.ReadAllLines(Path.Combine(State, "signals")));
    }

    [Fact]
    public async Task A_build_killed_with_SIGKILL_still_takes_its_tool_down()
    {
        // Nothing runs in the build after SIGKILL: the tool's parent-death signal (setpriv --pdeathsig) stops it.
        await using var build = await SampleBuild.StartAsync(_root, State, TestContext.Current.CancellationToken);

        Signal(build.Pid, Sigkill);
        await WaitForFileLineAsync(Path.Combine(State, "signals"), "SIGTERM", TestContext.Current.CancellationToken);

        var limit = Stopwatch.StartNew();
        while (RunningProcesses().Any(x => x.Pid == build.ToolPid))
        {
            Assert.True(limit.Elapsed < StartLimit, $"the tool (pid {build.ToolPid}) still runs after its build was killed");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_second_Ctrl_C_exits_at_once_and_kills_a_tool_that_ignores_SIGTERM()
    {
        // The tool ignores SIGTERM and the sample gives it a 60 s grace: only the second interrupt ends the build quickly.
        await using var build = await SampleBuild.StartAsync(_root, State, TestContext.Current.CancellationToken, "--ignore-term");

        Signal(-build.Pid, Sigint);
        await WaitForFileLineAsync(Path.Combine(State, "signals"), "SIGTERM", TestContext.Current.CancellationToken);
        var stopped = Stopwatch.StartNew();
        Signal(-build.Pid, Sigint);
        var exitCode = await build.WaitForExitAsync(StopLimit);

        Assert.True(exitCode == 130, $"exit code {exitCode}\n{build.Output}");
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Contains("received again: killing the running tools and exiting now", build.Output);
        Assert.True(await AllGoneAsync(build), "processes of the build survived:\n" + Survivors(build) + "\n" + build.Output);
    }

    static void AssertStoppedCleanly(SampleBuild build, string received)
    {
        var output = build.Output;
        Assert.Contains(received + " received: stopping the build", output);
        Assert.Contains("Target LongTool was aborted.", output);
        Assert.Contains("Cleanup ran", output); // the assured target ran after the interrupt
        Assert.True(File.Exists(Path.Combine(build.State, "cleanup")), output);
        Assert.Matches(@"LongTool\s+Aborted", output);
        Assert.Matches(@"Cleanup\s+Succeeded", output);
        Assert.Contains("Build failed on", output);
        Assert.True(AllGoneAsync(build).GetAwaiter().GetResult(), "processes of the build survived:\n" + Survivors(build) + "\n" + output);
    }

    /// <summary>
    /// True when no process of the build's session, of the tool's group, nor the tool or its grandchild is running.
    /// The build has exited, so this is checked once more after a short bound only for the kernel's reaping.
    /// </summary>
    static async Task<bool> AllGoneAsync(SampleBuild build)
    {
        var limit = Stopwatch.StartNew();
        while (Survivors(build).Length > 0)
        {
            if (limit.Elapsed > TimeSpan.FromSeconds(5))
                return false;
            await Task.Delay(50);
        }
        return true;
    }

    static string Survivors(SampleBuild build) =>
        string.Join('\n', RunningProcesses()
            .Where(x => x.Session == build.Pid || x.Group == build.ToolPid || x.Pid == build.ToolPid || x.Pid == build.GrandchildPid)
            .Select(x => $"pid {x.Pid} pgid {x.Group} sid {x.Session} state {x.State}"));

    static IEnumerable<(int Pid, int Group, int Session, string State)> RunningProcesses()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue; // exited meanwhile
            }
            // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] is "Z" or "X")
                continue; // a zombie runs nothing
            yield return (pid, int.Parse(fields[2]), int.Parse(fields[3]), fields[0]);
        }
    }

    static async Task WaitForFileLineAsync(string file, string line, CancellationToken cancellationToken)
    {
        var limit = Stopwatch.StartNew();
        while (!(File.Exists(file) && File.ReadAllLines(file).Contains(line)))
        {
            if (limit.Elapsed > StartLimit)
                throw new TimeoutException($"'{line}' did not appear in {file}.");
            await Task.Delay(50, cancellationToken);
        }
    }

    static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    /// <summary>The sample build running as a real process in a session of its own (pid = process group = session).</summary>
    sealed class SampleBuild : IAsyncDisposable
    {
        readonly Process _process;
        readonly StringBuilder _output = new();

        SampleBuild(Process process, string state)
        {
            _process = process;
            State = state;
        }

        public int Pid => _process.Id;
        public string State { get; }
        public int ToolPid { get; private set; }
        public int GrandchildPid { get; private set; }

        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        static string DotnetHost() =>
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
                ? host
                : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(x => Path.Combine(x, "dotnet")).FirstOrDefault(File.Exists)
                  ?? throw new InvalidOperationException("dotnet was not found on PATH.");

        static string SampleDll()
        {
            // Built next to this test project (a project reference that is not an assembly reference).
            var testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var index = testDirectory.LastIndexOf("MeshHook.Build.Engine.Tests", StringComparison.Ordinal);
            var dll = Path.Combine(testDirectory[..index] + "MeshHook.Build.SignalSample" + testDirectory[(index + "MeshHook.Build.Engine.Tests".Length)..],
                "MeshHook.Build.SignalSample.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("The sample build was not built.", dll);
        }

        public static async Task<SampleBuild> StartAsync(string root, string state, CancellationToken cancellationToken, params string[] more)
        {
            Directory.CreateDirectory(Path.Combine(root, ".nuke"));
            Directory.CreateDirectory(state);
            var setsid = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "setsid";
            var start = new ProcessStartInfo(setsid)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = root,
            };
            // As a terminal's foreground job has them: SIGINT, SIGHUP and SIGTERM at their defaults. A run started under nohup
            // (SIGHUP ignored) or from a non-interactive shell's background job (SIGINT ignored) passes the ignored signal on
            // through every exec after it.
            foreach (var argument in (string[])["--wait", "--", "env", "--default-signal=INT,HUP,TERM", DotnetHost(), SampleDll(), "LongTool+Cleanup",
                         "--state", state, "--no-logo", "--host", "Terminal", .. more])
                start.ArgumentList.Add(argument);
            start.Environment["HOME"] = root;
            start.Environment["NO_COLOR"] = "1";
            var process = Process.Start(start)!;
            var build = new SampleBuild(process, state);
            process.OutputDataReceived += (_, e) => build.Append(e.Data);
            process.ErrorDataReceived += (_, e) => build.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();

            // Synchronise on the tool: it writes "<node pid> <sleep pid>" once both run.
            var started = Path.Combine(state, "started");
            var limit = Stopwatch.StartNew();
            while (!File.Exists(started))
            {
                if (process.HasExited || limit.Elapsed > StartLimit)
                    throw new InvalidOperationException("The sample build's tool did not start.\n" + build.Output);
                await Task.Delay(50, cancellationToken);
            }
            var pids = (await File.ReadAllTextAsync(started, cancellationToken)).Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            (build.ToolPid, build.GrandchildPid) = (pids[0], pids[1]);
            return build;
        }

        void Append(string? line)
        {
            if (line is null)
                return;
            lock (_output)
                _output.AppendLine(line);
        }

        public async Task<int> WaitForExitAsync(TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return -1;
            }
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            // A failed test must not leave the build, the tool or the sleeper running.
            foreach (var pid in new[] { -Pid, -ToolPid, ToolPid, GrandchildPid }.Where(x => x != 0))
                Kill(pid, 9);
            await WaitForExitAsync(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
    }
}
