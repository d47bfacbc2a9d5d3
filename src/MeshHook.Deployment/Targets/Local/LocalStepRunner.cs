using System.Net.Sockets;
using MeshHook.Deployment.Health;
using MeshHook.Deployment.Migrations;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Executes the steps of a local plan on this machine.</summary>
public sealed class LocalStepRunner(
    LocalLayout layout,
    LocalSettings settings,
    ReleaseStore store,
    ProcessSupervisor processes,
    HealthProbe health,
    EdgeSwitch edge,
    ToolRunner tools,
    Func<string, CancellationToken, Task> writeEnvironmentFile,
    Func<string, string?> configurationValue,
    TimeProvider time,
    DeploymentLog log) : IStepRunner
{
    public async Task RunAsync(DeployStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case VerifyRelease verify:
                store.Verify(verify.ReleaseId);
                break;
            case ExtractArtifact extract:
                ReleaseExtractor.Extract(extract.Archive, extract.Destination);
                break;
            case CopyFile copy:
                Directory.CreateDirectory(Path.GetDirectoryName(copy.Destination)!);
                File.Copy(copy.Source, copy.Destination, overwrite: true);
                break;
            case InstallProgram install:
                InstallDirectory(install.Source, install.Destination);
                break;
            case WriteEnvironmentFile file:
                await writeEnvironmentFile(file.Path, cancellationToken);
                break;
            case MigrateDatabase migrate:
                // An embedded database's URL has no password: the CLI gets the environment's PGPASSWORD (env only, like the apps).
                await tools.RunAsync(SupabaseMigrations.Push(migrate.SupabaseCli, migrate.Workdir, Substitute(migrate.DatabaseUrl),
                    configurationValue("PGPASSWORD")), cancellationToken);
                break;
            case RunTool run:
                await tools.RunAsync(run.Command with { Arguments = run.Command.Arguments.Select(Substitute).ToArray() }, cancellationToken);
                break;
            case StartProcess start:
                if (start.KeepIfRunning && processes.Find(start.Spec.Name) is { } running && running.IsAlive())
                    break;
                await processes.StartAsync(start.Spec, cancellationToken);
                break;
            case WaitForPort wait:
                await WaitForPortAsync(wait, cancellationToken);
                break;
            case WaitForHealth wait:
                // A release process that exits fails the check at once: no point polling a dead port for the whole timeout.
                var watched = wait.LogOf is null ? null : processes.Find(wait.LogOf);
                var (healthy, last) = await health.WaitAsync(wait.Url, wait.Version, settings.Health, cancellationToken,
                    giveUp: watched is null ? null : () => !watched.IsAlive());
                if (!healthy && watched is not null && !watched.IsAlive())
                    throw new UserFacingException(
                        $"{wait.Name} exited before it became healthy ({processes.Exited(watched.Name) ?? "exit status unknown"}): {last.Describe()}." +
                        $"\n  Last lines of {processes.LogFile(watched.Name)}:\n{processes.Tail(watched.Name)}");
                if (!healthy)
                    throw new UserFacingException(
                        $"{wait.Name} did not become healthy at {wait.Version} within {settings.Health.Timeout.TotalSeconds:0} s: {last.Describe()}." +
                        (last.Body is null ? "" : $"\n  {wait.Url.AbsolutePath} answered: {last.Body}") +
                        (wait.LogOf is null ? "" : $"\n  Last lines of {processes.LogFile(wait.LogOf)}:\n{processes.Tail(wait.LogOf)}"));
                break;
            case SwitchEdge switchEdge:
                await edge.SwitchAsync(switchEdge.ReleaseId, switchEdge.Upstream, cancellationToken);
                break;
            case SwitchCurrent switchCurrent:
                CurrentLink.Point(layout, switchCurrent.ReleaseId);
                break;
            case StopProcess stop:
                await processes.StopAsync(stop.Name, stop.Grace, cancellationToken);
                break;
            case RemoveRelease remove:
                var directory = layout.ReleaseDirectory(remove.ReleaseId);
                if (Directory.Exists(directory))
                    Directory.Delete(directory, recursive: true);
                log.Information($"Removed releases/{remove.ReleaseId} (retention)");
                break;
            default:
                throw new InvalidOperationException($"The local target cannot run a {step.GetType().Name} step.");
        }
    }

    // "${NAME}" in a command's arguments is the configuration value NAME, resolved only now so plans never hold secrets.
    string Substitute(string argument) =>
        argument.StartsWith("${", StringComparison.Ordinal) && argument.EndsWith('}')
            ? configurationValue(argument[2..^1]) ?? throw new UserFacingException($"The configuration has no value for {argument[2..^1]}.")
            : argument;

    static void InstallDirectory(string source, string destination)
    {
        if (!Directory.Exists(source))
            throw new UserFacingException($"{source} does not exist: build it first (./build.sh BuildEdge).");
        var staging = destination + ".partial";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(staging, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        if (Directory.Exists(destination))
            Directory.Delete(destination, recursive: true);
        Directory.Move(staging, destination);
    }

    async Task WaitForPortAsync(WaitForPort wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait.Timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync("127.0.0.1", wait.Port, attempt.Token);
                return;
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= deadline)
                    throw new UserFacingException($"{wait.Name} did not listen on 127.0.0.1:{wait.Port} within {wait.Timeout.TotalSeconds:0} s.");
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            }
        }
    }
}
