using System.Diagnostics;
using System.Net;
using System.Text;

namespace MeshHook.Edge.Tests;

/// <summary>The real edge process between the test and two tiny upstreams.</summary>
public sealed class EdgeProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task Forwards_to_the_active_release_and_switches_when_the_state_file_is_renamed_over()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        await using var b = await Upstream.StartAsync("B", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        Assert.Equal("A", await edge.Client.GetStringAsync("/", Ct));
        Assert.Equal("A", await edge.Client.GetStringAsync("/health", Ct));
        var status = await edge.StatusAsync(Ct);
        Assert.Equal("rel-a", status.Release);
        Assert.Equal(a.Url, status.Upstream);
        Assert.Equal(edge.Process.Id, status.Pid);
        Assert.NotNull(status.LoadedAt);
        Assert.Null(status.StateError);

        var sinceRename = Stopwatch.StartNew();
        StateFile.WriteAtomic(edge.StateFile, "rel-b", b.Url);
        await edge.WaitForReleaseAsync("rel-b", Ct);
        var visible = sinceRename.Elapsed;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("B", await edge.Client.GetStringAsync($"/page/{i}?q={i}", Ct));
        }

        Assert.Equal(b.Url, (await edge.StatusAsync(Ct)).Upstream);
        Assert.Contains("Switched to release rel-b", edge.Output, StringComparison.Ordinal);
        Log($"switch visible in /_edge/status {visible.TotalMilliseconds:F0} ms after the rename");
    }

    [Fact]
    public async Task A_slow_request_in_flight_on_the_old_release_completes_after_the_switch()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        await using var b = await Upstream.StartAsync("B", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        var slow = edge.Client.GetAsync("/slow", Ct);
        await a.SlowArrived.Task.WaitAsync(Upstream.HangBound, Ct);

        StateFile.WriteAtomic(edge.StateFile, "rel-b", b.Url);
        await edge.WaitForReleaseAsync("rel-b", Ct);
        Assert.Equal("B", await edge.Client.GetStringAsync("/", Ct));
        Assert.False(slow.IsCompleted, "the slow request is held by the upstream until the test lets it finish");

        a.FinishSlow.SetResult(); // only now, after the switch, may the old release answer
        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("A", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Switching_back_and_forth_under_load_fails_no_request()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        await using var b = await Upstream.StartAsync("B", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        const int total = 300;
        const int workers = 3;
        // Switches are paced by requests served, not by the clock: at least SwitchEvery answers between two switches
        // (more than the requests that can be in flight), so both releases serve traffic and all switches happen
        // before the load ends, however fast or slow the machine is.
        const int wantedSwitches = 6;
        const int switchEvery = 20;
        var issued = 0;
        var answered = 0;
        var switches = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var served = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        async Task Worker()
        {
            while (Interlocked.Increment(ref issued) <= total || Volatile.Read(ref switches) < wantedSwitches)
            {
                var n = Volatile.Read(ref issued);
                var post = n % 5 == 0;
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = post
                        ? await edge.Client.PostAsync("/echo", new StringContent($"body-{n}", Encoding.UTF8), Ct)
                        : await edge.Client.GetAsync($"/req/{n}", Ct);
                    var text = await response.Content.ReadAsStringAsync(Ct);
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                    Interlocked.Increment(ref answered);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"#{n}: {(int)response.StatusCode} {text}");
                        continue;
                    }

                    var name = post ? text.Split(':')[0] : text;
                    if (post && !text.EndsWith($":POST:body-{n}", StringComparison.Ordinal))
                    {
                        failures.Enqueue($"#{n}: unexpected echo '{text}'");
                    }

                    served.AddOrUpdate(name, 1, (_, c) => c + 1);
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue($"#{n}: {ex.Message}");
                }

                await Task.Delay(25, Ct);
            }
        }

        var switchTimes = new List<double>();
        async Task Switcher()
        {
            var toB = true;
            while (Volatile.Read(ref switches) < wantedSwitches)
            {
                var from = Volatile.Read(ref answered);
                while (Volatile.Read(ref answered) < from + switchEvery)
                {
                    await Task.Delay(5, Ct); // waits for the workers' answers (a count), not for time
                }

                var release = toB ? "rel-b" : "rel-a";
                var watch = Stopwatch.StartNew();
                StateFile.WriteAtomic(edge.StateFile, release, toB ? b.Url : a.Url);
                await edge.WaitForReleaseAsync(release, Ct);
                switchTimes.Add(watch.Elapsed.TotalMilliseconds);
                Interlocked.Increment(ref switches);
                toB = !toB;
            }
        }

        var overall = Stopwatch.StartNew();
        var switcher = Switcher();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Worker()));
        var elapsed = overall.Elapsed;
        await done.CancelAsync();
        await switcher;

        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        Assert.Equal(Volatile.Read(ref answered), served.Values.Sum());
        Assert.True(served.Values.Sum() >= total, $"only {served.Values.Sum()} requests were served");
        Assert.Equal(wantedSwitches, switches);
        Assert.True(served.GetValueOrDefault("A") > 0 && served.GetValueOrDefault("B") > 0, "both releases should have served requests");

        var sorted = latencies.Order().ToArray();
        var switchSorted = switchTimes.Order().ToArray();
        Log($"{total} requests in {elapsed.TotalSeconds:F1} s across {switches} switches: 0 failed; A={served.GetValueOrDefault("A")} B={served.GetValueOrDefault("B")}");
        Log($"request latency p50 {Percentile(sorted, 0.5):F1} ms, p95 {Percentile(sorted, 0.95):F1} ms, max {sorted[^1]:F1} ms");
        Log($"rename -> status confirms: p50 {Percentile(switchSorted, 0.5):F1} ms, max {switchSorted[^1]:F1} ms");
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    [Fact]
    public async Task A_malformed_or_half_written_state_file_keeps_the_last_good_release()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        await using var b = await Upstream.StartAsync("B", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        (string Content, string Reason)[] bad =
        [
            ("{ this is not json", "not valid JSON"),
            ($"{{\"release\": \"rel-b\", \"upstr", "not valid JSON"),
            ("", "empty"),
            ("null", "null"),
            ($"{{\"upstream\": \"{b.Url}\"}}", "'release'"),
            ("{\"release\": \"rel-b\", \"upstream\": \"not a url\"}", "'upstream'"),
            ("{\"release\": \"rel-b\", \"upstream\": \"ftp://127.0.0.1:21\"}", "'upstream'"),
            ("[1, 2]", "not valid JSON"),
        ];

        string? last = null;
        for (var i = 0; i < bad.Length; i++)
        {
            var (content, reason) = bad[i];

            // Half of them renamed into place, half written in place (as a careless writer would).
            if (i % 2 == 0)
            {
                StateFile.WriteRawAtomic(edge.StateFile, content);
            }
            else
            {
                await File.WriteAllTextAsync(edge.StateFile, content, Ct);
            }

            await edge.WaitUntilAsync(
                async () => (await edge.StatusAsync(Ct)).StateError is { } error
                    && error.Contains(reason, StringComparison.Ordinal)
                    && error != last,
                TimeSpan.FromSeconds(30),
                $"the edge to reject '{content}'",
                Ct);

            var status = await edge.StatusAsync(Ct);
            last = status.StateError;
            Assert.Equal("rel-a", status.Release);
            Assert.Equal(a.Url, status.Upstream);
            Assert.Equal("A", await edge.Client.GetStringAsync("/", Ct));
        }

        Assert.False(edge.Process.HasExited);
        Assert.Contains("Ignoring state file", edge.Output, StringComparison.Ordinal);

        // A deleted state file changes nothing either.
        File.Delete(edge.StateFile);
        await edge.WaitUntilAsync(
            () => Task.FromResult(edge.Output.Contains("disappeared", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the edge to notice the deleted state file",
            Ct);
        Assert.Equal("rel-a", (await edge.StatusAsync(Ct)).Release);
        Assert.Equal("A", await edge.Client.GetStringAsync("/", Ct));

        StateFile.WriteAtomic(edge.StateFile, "rel-b", b.Url);
        await edge.WaitForReleaseAsync("rel-b", Ct);
        Assert.Null((await edge.StatusAsync(Ct)).StateError);
        Assert.Equal("B", await edge.Client.GetStringAsync("/", Ct));
    }

    [Fact]
    public async Task Without_a_state_file_it_answers_503_until_one_appears()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        using (var response = await edge.Client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("no release is active yet", (await response.Content.ReadAsStringAsync(Ct)).Trim());
        }

        var status = await edge.StatusAsync(Ct);
        Assert.Null(status.Release);
        Assert.Null(status.Upstream);
        Assert.Equal(edge.Process.Id, status.Pid);

        StateFile.WriteAtomic(edge.StateFile, "rel-a", a.Url);
        await edge.WaitForReleaseAsync("rel-a", Ct);
        Assert.Equal("A", await edge.Client.GetStringAsync("/", Ct));
    }

    [Fact]
    public async Task A_state_directory_that_appears_after_start_is_found_by_polling()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        var stateFile = dir.File("later/edge.json");
        await using var edge = await EdgeProcess.StartAsync(dir, Ct, stateFile);

        using (var response = await edge.Client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        // The directory arrives with the file already in it: no watcher can have seen the file being written.
        var staging = dir.File("staging");
        Directory.CreateDirectory(staging);
        StateFile.WriteAtomic(Path.Combine(staging, "edge.json"), "rel-a", a.Url);
        Directory.Move(staging, Path.GetDirectoryName(stateFile)!);

        await edge.WaitForReleaseAsync("rel-a", Ct);
        Assert.Equal("A", await edge.Client.GetStringAsync("/", Ct));
        Assert.Contains("Active release rel-a", edge.Output, StringComparison.Ordinal);
        Assert.Contains("(noticed by poll)", edge.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_command_line_exits_2_and_a_taken_port_exits_1()
    {
        using var dir = new TempDir();
        var (usageExit, usageOutput) = await RunToExitAsync(["--listen", "http://127.0.0.1:1", "--state", dir.File("edge.json"), "--bogus", "x"]);
        Assert.Equal(2, usageExit);
        Assert.Contains("unknown option '--bogus'", usageOutput, StringComparison.Ordinal);
        Assert.Contains("Usage:", usageOutput, StringComparison.Ordinal);

        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var pidFile = dir.File("edge.pid");
        var (bindExit, bindOutput) = await RunToExitAsync(["--listen", $"http://127.0.0.1:{port}", "--state", dir.File("edge.json"), "--pid-file", pidFile]);
        Assert.Equal(1, bindExit);
        Assert.Contains("could not start", bindOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(pidFile), "no pid file when the edge did not start");
    }

    private static async Task<(int ExitCode, string Output)> RunToExitAsync(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(EdgeProcess.EdgeDll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Upstream.HangBound); // bounds a hang only: starting dotnet on a busy machine takes seconds
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Sigterm_drains_in_flight_requests_exits_0_and_removes_the_pid_file()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct, null, "--drain-timeout", "600");

        Assert.Equal(edge.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(edge.PidFile, Ct)).Trim());

        var slow = edge.Client.GetAsync("/slow", Ct);
        await a.SlowArrived.Task.WaitAsync(Upstream.HangBound, Ct);
        var sinceSignal = Stopwatch.StartNew();
        edge.SendSigterm();
        // The edge's own sign that it got the signal: it refuses new connections (a fresh client each probe). From then on
        // the held request is certainly in flight DURING the drain.
        await edge.WaitUntilAsync(async () =>
        {
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                using var _ = await probe.GetAsync(new Uri(new Uri(edge.Url), "/_edge/status"), Ct);
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        }, Upstream.HangBound, "the edge to stop accepting connections after SIGTERM", Ct, exitIsFine: true);
        Assert.False(slow.IsCompleted, "the in-flight request is held by the upstream");
        Assert.False(edge.Process.HasExited, "the edge waits for its in-flight request");

        a.FinishSlow.SetResult();
        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("A", await response.Content.ReadAsStringAsync(Ct));

        // The drain timeout (--drain-timeout 600) is far beyond this hang bound: exiting at all proves the edge stops as
        // soon as its last request is done, without a wall-clock budget that a busy machine could miss.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Upstream.HangBound);
        await edge.Process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, edge.Process.ExitCode);
        Assert.False(File.Exists(edge.PidFile), "the pid file should be gone after a clean exit");
        Assert.Contains("stopped", edge.Output, StringComparison.Ordinal);
        Log($"exited {sinceSignal.Elapsed.TotalMilliseconds:F0} ms after SIGTERM (with a request in flight)");
    }

    [Fact]
    public async Task Forwards_x_forwarded_headers_answers_502_when_the_upstream_is_down_and_does_not_retry()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        var port = new Uri(edge.Url).Port;
        var headers = (await edge.Client.GetStringAsync("/headers", Ct)).Split('|');
        Assert.Equal("A", headers[0]);
        Assert.Equal("127.0.0.1", headers[1]);
        Assert.Equal($"127.0.0.1:{port}", headers[2]);
        Assert.Equal("http", headers[3]);

        // A POST whose upstream drops the connection: one attempt, then 502.
        var before = a.Requests;
        using (var response = await edge.Client.PostAsync("/abort", new StringContent("x"), Ct))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        Assert.Equal(before + 1, a.Requests);

        // Nothing listens on the new upstream: 502, quickly.
        StateFile.WriteAtomic(edge.StateFile, "rel-down", $"http://127.0.0.1:{Ports.Free()}");
        await edge.WaitForReleaseAsync("rel-down", Ct);
        var watch = Stopwatch.StartNew();
        using (var response = await edge.Client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        // No wall-clock budget here (a busy machine may miss one): the 502 itself proves the edge gave up on the refused
        // connection instead of retrying until the client's timeout.
        Log($"502 after {watch.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Admin_paths_are_the_edges_own()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);
        await using var edge = await EdgeProcess.StartAsync(dir, Ct);

        using (var response = await edge.Client.PostAsync("/_edge/status", new StringContent(""), Ct))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }

        using (var response = await edge.Client.GetAsync("/_edge/nothing", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var response = await edge.Client.GetAsync("/_edge/status", Ct))
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }

        Assert.Equal(0, a.Requests);
        Assert.Equal("A", await edge.Client.GetStringAsync("/_edgeish", Ct));
    }

    [Fact]
    public async Task Starts_and_serves_its_first_request_without_a_status_check()
    {
        using var dir = new TempDir();
        await using var a = await Upstream.StartAsync("A", Ct);
        StateFile.WriteAtomic(dir.File("edge.json"), "rel-a", a.Url);

        // Ports.Free() lets its port go before the edge binds it: when another process takes it meanwhile, the edge exits
        // with "could not start", and the test tries another port (as EdgeProcess.StartAsync does) instead of failing.
        for (var attempt = 1; ; attempt++)
        {
            var (firstOk, exitedOutput) = await StartAndGetFirstOkAsync(dir);
            if (firstOk is { } elapsed)
            {
                // How fast is measured by bench/edge-startup.sh, not asserted here (a busy machine would fail a budget).
                Log($"time to first proxied 200 from process start: {elapsed.TotalMilliseconds:F0} ms");
                return;
            }

            Assert.True(attempt < 3 && exitedOutput?.Contains("could not start", StringComparison.Ordinal) == true,
                $"the edge served no proxied 200 from the upstream (attempt {attempt}):{Environment.NewLine}{exitedOutput}");
        }
    }

    /// <summary>
    /// Starts the edge on a fresh port and polls <c>/</c> (no status check first) until the upstream's answer comes back.
    /// Returns the time to it, or the edge's output when it exited first.
    /// </summary>
    private static async Task<(TimeSpan? FirstOk, string? ExitedOutput)> StartAndGetFirstOkAsync(TempDir dir)
    {
        var port = Ports.Free();
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { EdgeProcess.EdgeDll, "--listen", $"http://127.0.0.1:{port}", "--state", dir.File("edge.json") })
        {
            psi.ArgumentList.Add(arg);
        }

        // The client timeout only bounds a hang: the first request may wait on a cold (JIT-compiling) edge.
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Upstream.HangBound };
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue("stderr: " + e.Data); } };
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            while (watch.Elapsed < Upstream.HangBound && !process.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync("/", Ct);
                    // The upstream's own answer: a process that took the port meanwhile would not say "A".
                    if (response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync(Ct) == "A")
                    {
                        return (watch.Elapsed, null);
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(5, Ct);
            }

            if (process.HasExited)
            {
                await process.WaitForExitAsync(Ct); // all output read
            }

            return (null, $"exited: {process.HasExited}{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
