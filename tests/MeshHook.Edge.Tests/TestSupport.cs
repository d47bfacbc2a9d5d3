using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshHook.Edge.Tests;

internal static class Ports
{
    /// <summary>A free loopback port (bind to 0, read it, let it go).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>A temporary directory, removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("meshhook-edge-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class StateFile
{
    private static int s_counter;

    /// <summary>Writes the state file the way the deployer does: a temp file in the same directory, then an atomic rename.</summary>
    public static void WriteAtomic(string path, string release, string upstream) =>
        WriteRawAtomic(path, JsonSerializer.Serialize(new
        {
            release,
            upstream,
            switchedAt = DateTimeOffset.UtcNow.ToString("O"),
        }));

    public static void WriteRawAtomic(string path, string content)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Interlocked.Increment(ref s_counter)}.tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>A tiny HTTP server on 127.0.0.1 that answers with its own name.</summary>
internal sealed class Upstream : IAsyncDisposable
{
    /// <summary>Only bounds a hang: a <c>/slow</c> request answers when the test completes <see cref="FinishSlow"/>.</summary>
    public static readonly TimeSpan HangBound = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;
    private int _requests;

    private Upstream(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public string Url { get; private set; } = "";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completed when a request for <c>/slow</c> has arrived (it answers once <see cref="FinishSlow"/> is completed).</summary>
    public TaskCompletionSource SlowArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The test's signal that <c>/slow</c> may answer: "in flight" lasts exactly as long as the test needs, on any machine.</summary>
    public TaskCompletionSource FinishSlow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<Upstream> StartAsync(string name, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new Upstream(name, app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync(cancellationToken);
        upstream.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return upstream;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        context.Response.ContentType = "text/plain";
        switch (context.Request.Path.Value)
        {
            case "/slow":
                SlowArrived.TrySetResult();
                await FinishSlow.Task.WaitAsync(HangBound, context.RequestAborted);
                await context.Response.WriteAsync(Name, context.RequestAborted);
                break;
            case "/headers":
                var h = context.Request.Headers;
                await context.Response.WriteAsync(
                    $"{Name}|{h["X-Forwarded-For"]}|{h["X-Forwarded-Host"]}|{h["X-Forwarded-Proto"]}|{h.Host}",
                    context.RequestAborted);
                break;
            case "/abort":
                context.Abort();
                break;
            case "/echo":
                using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
                {
                    var body = await reader.ReadToEndAsync(context.RequestAborted);
                    await context.Response.WriteAsync($"{Name}:{context.Request.Method}:{body}", context.RequestAborted);
                }

                break;
            default:
                await context.Response.WriteAsync(Name, context.RequestAborted);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        FinishSlow.TrySetResult();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

internal sealed record EdgeStatusView(string? Release, string? Upstream, string? LoadedAt, int Pid, string? StateError);

/// <summary>The real edge process: <c>dotnet MeshHook.Edge.dll --listen ... --state ... --pid-file ...</c>.</summary>
internal sealed class EdgeProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private EdgeProcess(Process process, string url, string stateFile, string pidFile, Stopwatch sinceStart)
    {
        _process = process;
        Url = url;
        StateFile = stateFile;
        PidFile = pidFile;
        SinceStart = sinceStart;
        Client = new HttpClient { BaseAddress = new Uri(url), Timeout = Upstream.HangBound }; // a hang bound, not a budget
    }

    public static string EdgeDll { get; } = Path.Combine(AppContext.BaseDirectory, "MeshHook.Edge.dll");

    public string Url { get; }

    public string StateFile { get; }

    public string PidFile { get; }

    public Stopwatch SinceStart { get; }

    public HttpClient Client { get; }

    public Process Process => _process;

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts the edge and waits (bounded) until <c>/_edge/status</c> answers 200.</summary>
    public static async Task<EdgeProcess> StartAsync(TempDir dir, CancellationToken cancellationToken, string? stateFile = null,
        params string[] extraArguments)
    {
        // Ports.Free() lets its port go before the edge binds it, so another process may take it meanwhile: the edge then
        // exits 1 ("could not start"), a clear signal to try another port (a few times), not a test failure.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(dir, cancellationToken, stateFile, extraArguments);
            }
            catch (EdgeExitedException exited) when (attempt < 3 && exited.Output.Contains("could not start", StringComparison.Ordinal))
            {
            }
        }
    }

    private static async Task<EdgeProcess> StartOnceAsync(TempDir dir, CancellationToken cancellationToken, string? stateFile, string[] extraArguments)
    {
        Assert.True(File.Exists(EdgeDll), $"missing {EdgeDll}");
        var port = Ports.Free();
        var url = $"http://127.0.0.1:{port}";
        stateFile ??= dir.File("edge.json");
        var pidFile = dir.File("run/edge.pid");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { EdgeDll, "--listen", url, "--state", stateFile, "--pid-file", pidFile }.Concat(extraArguments))
        {
            psi.ArgumentList.Add(arg);
        }

        var sinceStart = Stopwatch.StartNew();
        var process = Process.Start(psi)!;
        var edge = new EdgeProcess(process, url, stateFile, pidFile, sinceStart);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { edge._output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { edge._output.Enqueue("stderr: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await edge.WaitUntilAsync(async () =>
            {
                using var response = await edge.Client.GetAsync("/_edge/status", cancellationToken);
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(30), "the edge to answer /_edge/status", cancellationToken);
        }
        catch
        {
            await edge.DisposeAsync();
            throw;
        }

        return edge;
    }

    public async Task<EdgeStatusView> StatusAsync(CancellationToken cancellationToken)
    {
        var json = await Client.GetStringAsync("/_edge/status", cancellationToken);
        return JsonSerializer.Deserialize<EdgeStatusView>(json, s_json)!;
    }

    /// <summary>Polls <c>/_edge/status</c> (as the deployer does) until it reports <paramref name="release"/>.</summary>
    public Task WaitForReleaseAsync(string release, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        WaitUntilAsync(
            async () => (await StatusAsync(cancellationToken)).Release == release,
            timeout ?? TimeSpan.FromSeconds(30), // bounds a hang only: a loaded machine may take seconds to notice a rename
            $"/_edge/status to report release {release}",
            cancellationToken);

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken,
        bool exitIsFine = false)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited && !exitIsFine)
            {
                _process.WaitForExit(); // all output read
                throw new EdgeExitedException($"the edge exited ({_process.ExitCode}) while waiting for {what}:{Environment.NewLine}{Output}", Output);
            }

            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}:{Environment.NewLine}{Output}");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    public void SendSigterm()
    {
        if (kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            try
            {
                SendSigterm();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }
}

/// <summary>The edge exited while a test waited for it; <see cref="Output"/> says why.</summary>
internal sealed class EdgeExitedException(string message, string output) : InvalidOperationException(message)
{
    public string Output { get; } = output;
}
