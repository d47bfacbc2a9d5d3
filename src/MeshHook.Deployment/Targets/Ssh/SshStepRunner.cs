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
                await host.CheckAsync(run.Command, cancellationToken);
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
            case StopRemote stopStep:
                await StopAsync(host, stopStep, cancellationToken);
                break;
            case HostHealth check:
                var result = await host.RunAsync(new RemoteCommand("node", "-e", HealthScript, check.Url.ToString(), check.Version,
                    ((int)healthOptions.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                    ((int)healthOptions.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                    LayoutOf(check.Host).Root + "/run/" + check.Name + ".exit"), cancellationToken);
                if (result.ExitCode != 0)
                {
                    var logFile = $"{LayoutOf(check.Host).Shared}/logs/{check.Name}.log";
                    var tail = await host.RunAsync(new RemoteCommand("tail", "-n", "20", "--", logFile), CancellationToken.None);
                    throw new UserFacingException($"{check.Name} on {host.Host.Name} did not become healthy at {check.Version}: {result.Output.Trim()} {result.Error.Trim()}" +
                                                  $"\n  Last lines of {logFile} on {host.Host.Name}:\n{tail.Output.TrimEnd()}");
                }
                break;
            case SwitchHost switchHost:
                await SwitchAsync(host, switchHost, cancellationToken);
                _switched[host.Host.Name] = (host, Interlocked.Increment(ref _switchOrder));
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
        await host.CheckAsync(new RemoteCommand("rm", "-rf", "--", partial), cancellationToken);
        foreach (var directory in Directory.EnumerateDirectories(upload.Local, "*", SearchOption.AllDirectories).Prepend(upload.Local))
            await host.CheckAsync(new RemoteCommand("mkdir", "-p", "--", partial + "/" + Path.GetRelativePath(upload.Local, directory).Replace('\\', '/')), cancellationToken);
        foreach (var file in Directory.EnumerateFiles(upload.Local, "*", SearchOption.AllDirectories))
        {
            await using var stream = File.OpenRead(file);
            await Sftp(host, () => host.Sftp.UploadFileAsync(stream, partial + "/" + Path.GetRelativePath(upload.Local, file).Replace('\\', '/'), cancellationToken));
        }
        await host.CheckAsync(new RemoteCommand("rm", "-rf", "--", upload.Remote), cancellationToken);
        await host.CheckAsync(new RemoteCommand("mv", "-T", "--", partial, upload.Remote), cancellationToken);
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

    async Task StartAsync(SshHostConnection host, StartRemote start, CancellationToken cancellationToken)
    {
        // A process of the same name that ran before left its exit file: the health check must not read it as this one's.
        await host.CheckAsync(new RemoteCommand("rm", "-f", "--", LayoutOf(start.Host).Root + "/run/" + start.Name + ".exit"), cancellationToken);
        var output = await host.CheckAsync(start.Launch, cancellationToken);
        if (!int.TryParse(output.Trim(), CultureInfo.InvariantCulture, out var pid))
            throw new UserFacingException($"Starting {start.Name} on {host.Host.Name} printed no process id: {output.Trim()}");
        var record = new RemoteProcess(start.Name, start.Release, start.Port, pid, time.GetUtcNow(), start.Log);
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, Json));
        await PutAsync(host, content, RecordPath(start.Host, start.Name), 600, cancellationToken);
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

    async Task SwitchAsync(SshHostConnection host, SwitchHost step, CancellationToken cancellationToken)
    {
        var state = new EdgeState(step.ReleaseId, $"http://127.0.0.1:{step.UpstreamPort}", time.GetUtcNow());
        using (var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(state, Json)))
            await PutAsync(host, content, LayoutOf(step.Host).EdgeState, 600, cancellationToken);
        var edge = new EdgeSwitch(LayoutOf(step.Host).EdgeState, step.EdgeUrl, _http, time);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        string? seen;
        while ((seen = await edge.ActiveReleaseAsync(cancellationToken)) != step.ReleaseId)
        {
            if (time.GetUtcNow() >= deadline)
                throw new UserFacingException($"The edge of {host.Host.Name} at {step.EdgeUrl} did not switch to {step.ReleaseId} within 30 s (it reports {seen ?? "nothing"}).");
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
        var link = LayoutOf(step.Host).Current;
        await host.CheckAsync(new RemoteCommand("ln", "-sfn", "--", "releases/" + step.ReleaseId, link + ".new"), cancellationToken);
        await host.CheckAsync(new RemoteCommand("mv", "-T", "--", link + ".new", link), cancellationToken);
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

    /// <summary>Polls a release's health on its host (its port listens on the host's loopback): node, as the releases run on.</summary>
    const string HealthScript = """
        const [url, version, timeout, interval, exitFile] = process.argv.slice(1);
        const fs = require('fs');
        const deadline = Date.now() + Number(timeout);
        let last = 'no answer';
        (async () => {
          while (Date.now() < deadline) {
            if (fs.existsSync(exitFile)) { console.log('it exited: ' + fs.readFileSync(exitFile, 'utf8').trim()); process.exit(1); }
            try {
              const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
              const body = await response.text();
              last = `HTTP ${response.status} ${body.slice(0, 300)}`;
              const report = JSON.parse(body);
              if (response.ok && report.status === 'ok' && report.version === version) process.exit(0);
            } catch (error) { last = last === 'no answer' ? String(error.cause?.code ?? error.message) : last; }
            await new Promise((resolve) => setTimeout(resolve, Number(interval)));
          }
          console.log('last answer: ' + last);
          process.exit(1);
        })();
        """;
}
