using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Health;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Migrations;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;
using Renci.SshNet.Common;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// Executes ssh plans: each step over the connection of its host (commands through <see cref="RemoteCommand"/>, files
/// over SFTP), lanes of <see cref="InParallel"/> at once. Remembers which hosts it switched, so that
/// <see cref="SwitchBackSwitchedHosts"/> returns exactly those (and journals each).
/// </summary>
public sealed class SshStepRunner(
    SshConnections connections,
    SshSettings settings,
    ReleaseStore store,
    IDeploymentConfiguration configuration,
    ToolRunner tools,
    HealthProbe health,
    HealthOptions healthOptions,
    IDeploymentJournal journal,
    Func<string?> deploymentId,
    TimeProvider time,
    DeploymentLog log) : IStepRunner
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    readonly ConcurrentDictionary<string, (SshHostConnection Host, int Order)> _switched = new();
    int _switchOrder;
    readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    LocalLayout LayoutOf(Environments.SshHost host) => settings.LayoutOf(host);

    public async Task RunAsync(DeployStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case InParallel parallel:
                await ParallelAsync(parallel, cancellationToken);
                break;
            case VerifyRelease verify:
                store.Verify(verify.ReleaseId);
                break;
            case ExtractArtifact extract:
                if (Directory.Exists(extract.Destination))
                    Directory.Delete(extract.Destination, recursive: true);
                ReleaseExtractor.Extract(extract.Archive, extract.Destination);
                break;
            case MigrateDatabase migrate:
                var url = configuration.Value("DATABASE_URL") ?? throw new UserFacingException("The configuration has no DATABASE_URL to migrate.");
                await tools.RunAsync(SupabaseMigrations.Push(migrate.SupabaseCli, migrate.Workdir, url), cancellationToken);
                break;
            case SshStep ssh:
                await RunOnHostAsync(ssh, cancellationToken);
                break;
            case SwitchBackSwitchedHosts back:
                await SwitchBackAsync(back);
                break;
            default:
                throw new InvalidOperationException($"The ssh target cannot run a {step.GetType().Name} step.");
        }
    }

    async Task ParallelAsync(InParallel parallel, CancellationToken cancellationToken)
    {
        // Task.Run: SSH.NET's SFTP calls block their thread, so without it the lanes would take turns.
        var lanes = parallel.Lanes.Select(lane => Task.Run(async () =>
        {
            foreach (var step in lane)
                await RunAsync(step, cancellationToken);
        }, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(lanes);
        }
        catch
        {
            var failures = lanes.Where(x => x.IsFaulted).SelectMany(x => x.Exception!.InnerExceptions).ToList();
            if (failures.Count == 1 || failures.All(x => x is OperationCanceledException))
                throw failures[0];
            throw new UserFacingException(string.Join("\n", failures.Select(x => x.Message)));
        }
    }

    async Task RunOnHostAsync(SshStep step, CancellationToken cancellationToken)
    {
        if (step is StopRemote { BestEffort: true } stop)
        {
            try
            {
                await StopAsync(await connections.ToAsync(stop.Host, cancellationToken), stop, cancellationToken);
            }
            catch (UserFacingException exception)
            {
                log.Warning($"Could not stop {stop.Name} on {stop.Host.Name}: {exception.Message}");
            }
            return;
        }
        var host = await connections.ToAsync(step.Host, cancellationToken);
        switch (step)
        {
            case RunRemote run:
                await host.CheckAsync(run.Commands, cancellationToken);
                break;
            case RemoveRemoteRelease remove:
                await host.CheckAsync(remove.Command, cancellationToken);
                break;
            case InstallLauncher install:
                await using (var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("MeshHook.Deployment.Processes.launch.mjs")!)
                    await PutAsync(host, resource, install.Remote, 600, cancellationToken);
                break;
            case UploadFiles upload:
                foreach (var file in upload.Files)
                {
                    await using var stream = File.OpenRead(file.Local);
                    await Sftp(host, () => host.Sftp.UploadFileAsync(stream, file.Remote, cancellationToken));
                }
                break;
            case VerifyUploads verify:
                await VerifyAsync(host, verify, cancellationToken);
                break;
            case UploadDirectory directory:
                await UploadDirectoryAsync(host, directory, cancellationToken);
                break;
            case WriteRemoteEnvironmentFile env:
                await WriteEnvironmentFileAsync(host, env, cancellationToken);
                break;
            case StartRemote start:
                await StartAsync(host, start, cancellationToken);
                break;
            case StartProcesses start:
                await StartAsync(host, start, cancellationToken);
                break;
            case StopRemote stopStep:
                await StopAsync(host, stopStep, cancellationToken);
                break;
            case HostHealth check:
                await HostHealthAsync(host, check, cancellationToken);
                break;
            case EdgeReady ready:
                await EdgeReadyAsync(host, ready, cancellationToken);
                break;
            case SwitchHost switchHost:
                // Switched (to be switched back if a later step fails) as soon as its edge.json is replaced, confirmed or not.
                await SwitchAsync(host, switchHost, cancellationToken, written: () => _switched[host.Host.Name] = (host, Interlocked.Increment(ref _switchOrder)));
                break;
            case VerifyHost verifyHost:
                await VerifyHostAsync(verifyHost, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"The ssh target cannot run a {step.GetType().Name} step.");
        }
    }

    static async Task Sftp(SshHostConnection host, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception exception) when (exception is SshException or System.Net.Sockets.SocketException)
        {
            throw new UserFacingException($"SFTP to {host.Host.Name} failed: {exception.Message}");
        }
    }

    /// <summary>Writes a file whole: to a temporary name, mode set, then renamed over the target (never seen half written).</summary>
    static async Task PutAsync(SshHostConnection host, Stream content, string remote, short mode, CancellationToken cancellationToken)
    {
        var temporary = remote + ".new";
        await Sftp(host, async () =>
        {
            await using (var stream = await host.Sftp.OpenAsync(temporary, FileMode.Create, FileAccess.Write, cancellationToken))
                await content.CopyToAsync(stream, cancellationToken);
            host.Sftp.ChangePermissions(temporary, mode);
            host.Sftp.RenameFile(temporary, remote, isPosix: true);
        });
    }

    static async Task VerifyAsync(SshHostConnection host, VerifyUploads verify, CancellationToken cancellationToken)
    {
        var output = await host.CheckAsync(new RemoteCommand("sha256sum", ["--", .. verify.Files.Select(x => x.Remote)]), cancellationToken);
        var sums = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(x => x.Split(' ', 2)[0].TrimStart('\\')).ToList();
        for (var index = 0; index < verify.Files.Count; index++)
        {
            var file = verify.Files[index];
            var size = host.Sftp.GetAttributes(file.Remote).Size;
            if (index >= sums.Count || !string.Equals(sums[index], file.Sha256, StringComparison.OrdinalIgnoreCase) || size != file.Size)
                throw new UserFacingException($"{file.Remote} on {host.Host.Name} does not match the release (sha256 {(index < sums.Count ? sums[index] : "?")}, " +
                                              $"{size} bytes; expected {file.Sha256}, {file.Size} bytes): nothing was changed there. Deploy again to upload it anew.");
        }
    }

    async Task UploadDirectoryAsync(SshHostConnection host, UploadDirectory upload, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(upload.Local))
            throw new UserFacingException($"{upload.Local} does not exist: build it first (./build.sh BuildEdge).");
        var partial = upload.Remote + ".partial";
        // One round trip before the files (a fresh .partial with every folder) and one after (into place).
        await host.CheckAsync([new RemoteCommand("rm", "-rf", "--", partial), new RemoteCommand("mkdir", ["-p", "--",
            .. Directory.EnumerateDirectories(upload.Local, "*", SearchOption.AllDirectories).Prepend(upload.Local)
                .Select(directory => partial + "/" + Path.GetRelativePath(upload.Local, directory).Replace('\\', '/'))])], cancellationToken);
        foreach (var file in Directory.EnumerateFiles(upload.Local, "*", SearchOption.AllDirectories))
        {
            await using var stream = File.OpenRead(file);
            await Sftp(host, () => host.Sftp.UploadFileAsync(stream, partial + "/" + Path.GetRelativePath(upload.Local, file).Replace('\\', '/'), cancellationToken));
        }
        await host.CheckAsync([new RemoteCommand("rm", "-rf", "--", upload.Remote), new RemoteCommand("mv", "-T", "--", partial, upload.Remote)], cancellationToken);
    }

    async Task WriteEnvironmentFileAsync(SshHostConnection host, WriteRemoteEnvironmentFile env, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("meshhook-env-");
        try
        {
            var local = Path.Combine(directory.FullName, "env");
            await configuration.WriteEnvironmentFileAsync(local, cancellationToken);
            await using var stream = File.OpenRead(local);
            await PutAsync(host, stream, env.Remote, 600, cancellationToken);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    Task StartAsync(SshHostConnection host, StartRemote start, CancellationToken cancellationToken) =>
        StartAsync(host, new StartProcesses(start.Host, new RemoteCommand("rm", "-f", "--", LayoutOf(start.Host).Root + "/run/" + start.Name + ".exit"), [start]),
            cancellationToken);

    async Task StartAsync(SshHostConnection host, StartProcesses start, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(start.Commands, cancellationToken);
        // Each launcher that ran printed its keeper's pid, in order: every process that started is recorded (so it can be
        // stopped), even when a later one failed to start.
        var printed = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var index = 0; index < Math.Min(printed.Length, start.Processes.Count); index++)
        {
            var process = start.Processes[index];
            if (!int.TryParse(printed[index], CultureInfo.InvariantCulture, out var pid))
                throw new UserFacingException($"Starting {process.Name} on {host.Host.Name} printed no process id: {result.Output.Trim()}");
            var record = new RemoteProcess(process.Name, process.Release, process.Port, pid, time.GetUtcNow(), process.Log);
            using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, Json));
            await PutAsync(host, content, RecordPath(process.Host, process.Name), 600, cancellationToken);
        }
        if (result.ExitCode != 0)
            throw new UserFacingException($"On {host.Host.Name}, starting {start.Processes[Math.Min(printed.Length, start.Processes.Count - 1)].Name} failed " +
                                          $"(exit {result.ExitCode}): {(result.Error.Trim().Length > 0 ? result.Error : result.Output).Trim()}");
        if (printed.Length < start.Processes.Count)
            throw new UserFacingException($"Starting {start.Processes[printed.Length].Name} on {host.Host.Name} printed no process id: {result.Output.Trim()}");
    }

    async Task HostHealthAsync(SshHostConnection host, HostHealth check, CancellationToken cancellationToken)
    {
        var layout = LayoutOf(check.Host);
        var result = await host.RunAsync(new RemoteCommand("node", ["-e", HealthScript, check.Version,
            ((int)healthOptions.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ((int)healthOptions.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            .. check.Endpoints.SelectMany(x => new[] { x.Name, x.Url.ToString(), layout.Root + "/run/" + x.Name + ".exit" })]), cancellationToken);
        if (result.ExitCode == 0)
            return;
        // The script prints "<name>\t<why>" for the first process that failed.
        var printed = result.Output.Trim();
        var tab = printed.IndexOf('\t', StringComparison.Ordinal);
        var failed = check.Endpoints.FirstOrDefault(x => tab > 0 && x.Name == printed[..tab]) ?? check.Endpoints[0];
        var logFile = $"{layout.Shared}/logs/{failed.Name}.log";
        var tail = await host.RunAsync(new RemoteCommand("tail", "-n", "20", "--", logFile), CancellationToken.None);
        throw new UserFacingException($"{failed.Name} on {host.Host.Name} did not become healthy at {check.Version}: {(tab > 0 ? printed[(tab + 1)..] : printed)} {result.Error.Trim()}".TrimEnd() +
                                      $"\n  Last lines of {logFile} on {host.Host.Name}:\n{tail.Output.TrimEnd()}");
    }

    string RecordPath(Environments.SshHost host, string name) => LayoutOf(host).Root + "/run/" + name + ".json";

    async Task StopAsync(SshHostConnection host, StopRemote stop, CancellationToken cancellationToken)
    {
        RemoteProcess? record;
        try
        {
            record = JsonSerializer.Deserialize<RemoteProcess>(host.Sftp.ReadAllText(RecordPath(stop.Host, stop.Name)), Json);
        }
        catch (SftpPathNotFoundException)
        {
            return;
        }
        if (record is null)
            return;
        var group = "-" + record.Pid.ToString(CultureInfo.InvariantCulture);
        // The keeper leads its process group: the signal reaches the program and the keeper.
        await host.RunAsync(new RemoteCommand("kill", "-TERM", "--", group), cancellationToken);
        var deadline = time.GetUtcNow() + stop.Grace;
        while ((await host.RunAsync(new RemoteCommand("kill", "-0", "--", group), cancellationToken)).ExitCode == 0)
        {
            if (time.GetUtcNow() >= deadline)
            {
                await host.RunAsync(new RemoteCommand("kill", "-KILL", "--", group), cancellationToken);
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
        host.Sftp.DeleteFile(RecordPath(stop.Host, stop.Name));
    }

    async Task SwitchAsync(SshHostConnection host, SwitchHost step, CancellationToken cancellationToken, Action? written = null)
    {
        var state = new EdgeState(step.ReleaseId, $"http://127.0.0.1:{step.UpstreamPort}", time.GetUtcNow());
        using (var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(state, Json)))
            await PutAsync(host, content, LayoutOf(step.Host).EdgeState, 600, cancellationToken);
        written?.Invoke();
        // The edge is switched: its confirmation (from here) and the current link (on the host) are waited for together.
        var link = LayoutOf(step.Host).Current;
        var linking = host.CheckAsync([new RemoteCommand("ln", "-sfn", "--", "releases/" + step.ReleaseId, link + ".new"), new RemoteCommand("mv", "-T", "--", link + ".new", link)],
            cancellationToken);
        await Task.WhenAll(ConfirmSwitchAsync(host, step, cancellationToken), linking);
    }

    async Task EdgeReadyAsync(SshHostConnection host, EdgeReady step, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + healthOptions.Timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            string last;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(healthOptions.RequestTimeout);
                try
                {
                    using var response = await _http.GetAsync(step.StatusUrl, timeout.Token);
                    if (response.IsSuccessStatusCode)
                        return;
                    last = $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    last = exception.Message;
                }
            }
            // Not answering yet: an edge that already ended (its exit file is there) is not waited for.
            var exitFile = LayoutOf(step.Host).Root + "/run/" + LocalLayout.EdgeProcess + ".exit";
            var exited = await host.Sftp.ExistsAsync(exitFile, cancellationToken);
            if (exited)
                last = "it exited: " + host.Sftp.ReadAllText(exitFile).Trim();
            if (exited || time.GetUtcNow() >= deadline)
            {
                var logFile = $"{LayoutOf(step.Host).Shared}/logs/{LocalLayout.EdgeProcess}.log";
                var tail = await host.RunAsync(new RemoteCommand("tail", "-n", "20", "--", logFile), CancellationToken.None);
                throw new UserFacingException($"The edge of {host.Host.Name} did not answer at {step.StatusUrl} within {healthOptions.Timeout.TotalSeconds:0} s: {last}" +
                                              $"\n  Last lines of {logFile} on {host.Host.Name}:\n{tail.Output.TrimEnd()}");
            }
            await Task.Delay(delay, time, cancellationToken);
            delay = delay * 2 < healthOptions.Interval ? delay * 2 : healthOptions.Interval;
        }
    }

    async Task ConfirmSwitchAsync(SshHostConnection host, SwitchHost step, CancellationToken cancellationToken)
    {
        var edge = new EdgeSwitch(LayoutOf(step.Host).EdgeState, step.EdgeUrl, _http, time);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        string? seen;
        while ((seen = await edge.ActiveReleaseAsync(cancellationToken)) != step.ReleaseId)
        {
            if (time.GetUtcNow() >= deadline)
                throw new UserFacingException($"The edge of {host.Host.Name} at {step.EdgeUrl} did not switch to {step.ReleaseId} within 30 s (it reports {seen ?? "nothing"}).");
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }

    async Task VerifyHostAsync(VerifyHost step, CancellationToken cancellationToken)
    {
        var (healthy, last) = await health.WaitAsync(step.Url, step.Version, healthOptions, cancellationToken);
        if (!healthy)
            throw new UserFacingException($"{step.Host.Name} did not serve {step.Version} healthy at {step.Url} within {healthOptions.Timeout.TotalSeconds:0} s: {last.Describe()}.");
    }

    /// <summary>Every host this run switched goes back (newest first), each journaled; runs to the end (no token) like every recovery.</summary>
    async Task SwitchBackAsync(SwitchBackSwitchedHosts back)
    {
        var failures = new List<string>();
        foreach (var target in back.Targets.Where(x => _switched.ContainsKey(x.Host.Name)).OrderByDescending(x => _switched[x.Host.Name].Order))
        {
            var started = time.GetUtcNow();
            string? error = null;
            try
            {
                var host = await connections.ToAsync(target.Host, CancellationToken.None);
                await SwitchAsync(host, new SwitchHost(target.Host, target.ReleaseId, target.UpstreamPort, target.EdgeUrl), CancellationToken.None);
                await VerifyHostAsync(new VerifyHost(target.Host, new Uri(target.EdgeUrl, back.VerifyPath ?? new Uri("/health", UriKind.Relative)), target.ReleaseId),
                    CancellationToken.None);
                _switched.TryRemove(target.Host.Name, out _);
                log.Warning($"{target.Host.Name} switched back to {target.ReleaseId}.");
            }
            catch (UserFacingException exception)
            {
                error = exception.Message;
                failures.Add($"{target.Host.Name}: {exception.Message}");
            }
            if (deploymentId() is { } id)
                await journal.AppendAsync(new JournalEntry
                {
                    Type = JournalEntryTypes.Stage, DeploymentId = id, At = time.GetUtcNow(), Stage = $"switch back {target.Host.Name} to {target.ReleaseId}",
                    StartedAt = started, DurationMs = (long)(time.GetUtcNow() - started).TotalMilliseconds,
                    Outcome = error is null ? Outcomes.Succeeded : Outcomes.Failed, Error = error,
                }, CancellationToken.None);
        }
        if (failures.Count > 0)
            throw new UserFacingException("Switching back failed on " + string.Join("; ", failures));
    }

    /// <summary>
    /// Polls the health of a host's processes on the host (their ports listen on its loopback), all at once: node, as the
    /// releases run on. The first polls come quickly (100 ms, doubling up to the interval, as <see cref="HealthProbe"/>
    /// does); a process whose exit file appears has failed at once. Prints "name, tab, why" for the first that fails.
    /// </summary>
    const string HealthScript = """
        const [version, timeout, interval, ...rest] = process.argv.slice(1);
        const fs = require('fs');
        const deadline = Date.now() + Number(timeout);
        const checks = [];
        for (let i = 0; i + 2 < rest.length; i += 3) checks.push({ name: rest[i], url: rest[i + 1], exitFile: rest[i + 2] });
        const poll = async ({ url, exitFile }) => {
          let last = 'no answer', delay = 100;
          while (true) {
            if (fs.existsSync(exitFile)) return 'it exited: ' + fs.readFileSync(exitFile, 'utf8').trim();
            try {
              const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
              const body = await response.text();
              last = `HTTP ${response.status} ${body.slice(0, 300)}`;
              const report = JSON.parse(body);
              if (response.ok && report.status === 'ok' && report.version === version) return null;
            } catch (error) { last = last === 'no answer' ? String(error.cause?.code ?? error.message) : last; }
            if (Date.now() >= deadline) return 'last answer: ' + last;
            await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Number(interval))));
            delay *= 2;
          }
        };
        Promise.all(checks.map(async (check) => {
          const failure = await poll(check);
          if (failure !== null) { console.log(check.name + '\t' + failure); process.exit(1); }
        })).then(() => process.exit(0));
        """;
}
