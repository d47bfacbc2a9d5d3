using System.Diagnostics;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Testing;

namespace MeshHook.Deployment.Tests.Processes;

/// <summary>
/// Processes a test run starts die with it, however it ends (issue 15, item 16): the detached release processes that
/// launch.mjs starts (which outlive a deploy on purpose) included. Real node processes, real SIGKILL.
/// </summary>
public sealed class TestRunTieTests : IDisposable
{
    // Only bounds a hang: the guard polls every 500 ms, so this is reached only when the tie is broken.
    static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(20);
    static CancellationToken Token => TestContext.Current.CancellationToken;
    readonly TempDirectory _dir = new();
    readonly List<int> _started = [];

    [Fact]
    public void This_test_host_owns_what_it_starts()
    {
        Assert.Equal(TestRunOwner.Run("identity", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Environment.GetEnvironmentVariable(TestRunOwner.Variable));
    }

    [Fact]
    public async Task Killing_the_test_run_with_SIGKILL_stops_the_releases_it_launched_detached()
    {
        var launcher = _dir.Write("launch.mjs", EmbeddedLauncher());
        var childPidFile = _dir.Combine("release-child.pid");
        // A test-run-like owner: it claims its run, then starts a release the way ProcessSupervisor does (launch.mjs:
        // own session, environment scrubbed), whose program has a child of its own.
        var owner = _dir.Write("owner.mjs", $$"""
            import { spawnSync } from 'node:child_process';
            import { claimTestRun } from {{Js(new Uri(TestRunOwner.Script).AbsoluteUri)}};
            const owner = claimTestRun();
            const launched = spawnSync(process.execPath,
              [{{Js(launcher)}}, '--log', {{Js(_dir.Combine("release.log"))}}, '--', 'sh', '-c', 'sleep 300 & echo $! > "$0"; exec sleep 301', {{Js(childPidFile)}}],
              { encoding: 'utf8' });
            if (launched.status !== 0) { console.error(launched.stderr); process.exit(1); }
            console.log(JSON.stringify({ owner, release: Number(launched.stdout) }));
            setInterval(() => {}, 1000);
            """);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(owner);
        start.Environment.Remove(TestRunOwner.Variable);
        start.Environment.Remove("NODE_OPTIONS");
        using var process = Process.Start(start)!;
        _started.Add(process.Id);

        // The owner's own signal that everything runs: its first line (the guard's hang bound only).
        var line = await process.StandardOutput.ReadLineAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Token);
        Assert.NotNull(line);
        var started = System.Text.Json.JsonDocument.Parse(line).RootElement;
        var release = started.GetProperty("release").GetInt32();
        _started.Add(release);
        var child = await ReadPidAsync(childPidFile);
        _started.Add(child);
        Assert.True(IsAlive(release) && IsAlive(child), "the release and its child run before the owner is killed");
        Assert.Equal(started.GetProperty("owner").GetString(), MarkOf(release)); // launch.mjs passes the mark on

        process.Kill(); // SIGKILL: no handler of the owner runs
        await process.WaitForExitAsync(Token);

        Assert.True(await WaitUntilGoneAsync([release, child]), $"still running {GoneWithin} after the owner was killed: " +
                                                                string.Join(", ", new[] { release, child }.Where(IsAlive)));
    }

    [Fact]
    public async Task Reaping_kills_orphans_of_dead_owners_and_leaves_a_live_owners_processes_alone()
    {
        var me = Environment.GetEnvironmentVariable(TestRunOwner.Variable)!;
        using var deadOwner = Sleep("999999999:1");
        using var reusedPid = Sleep($"{Environment.ProcessId}:1");
        using var liveOwner = Sleep(me);

        var reaped = TestRunOwner.Run("reap").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

        Assert.Contains(deadOwner.Id, reaped);
        Assert.Contains(reusedPid.Id, reaped);
        Assert.DoesNotContain(liveOwner.Id, reaped);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Token);
        bound.CancelAfter(GoneWithin);
        await deadOwner.WaitForExitAsync(bound.Token);
        await reusedPid.WaitForExitAsync(bound.Token);
        Assert.False(liveOwner.HasExited);
    }

    Process Sleep(string owner)
    {
        var start = new ProcessStartInfo("sleep", "300") { UseShellExecute = false };
        start.Environment[TestRunOwner.Variable] = owner;
        var process = Process.Start(start)!;
        _started.Add(process.Id);
        return process;
    }

    static string EmbeddedLauncher()
    {
        using var resource = typeof(ProcessSupervisor).Assembly.GetManifestResourceStream("MeshHook.Deployment.Processes.launch.mjs")!;
        return new StreamReader(resource).ReadToEnd();
    }

    static string Js(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    static string? MarkOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0')
            .FirstOrDefault(x => x.StartsWith(TestRunOwner.Variable + "=", StringComparison.Ordinal))?[(TestRunOwner.Variable.Length + 1)..];

    static async Task<int> ReadPidAsync(string file)
    {
        // The release writes this file right after it starts; the loop only waits for that signal, bounded against a hang.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid))
                return pid;
            await Task.Delay(20, Token);
        }
        throw new TimeoutException($"{file} was not written.");
    }

    static async Task<bool> WaitUntilGoneAsync(int[] pids)
    {
        var deadline = Stopwatch.StartNew();
        while (pids.Any(IsAlive) && deadline.Elapsed < GoneWithin)
            await Task.Delay(50, Token);
        return !pids.Any(IsAlive);
    }

    public void Dispose()
    {
        foreach (var pid in _started.Where(IsAlive))
        {
            try
            {
                Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
            {
            }
        }
        _dir.Dispose();
    }
}
