using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// Turns "deploy release R" or "roll back to T" into a plan of stages for this machine. Reads state (current release,
/// running processes) and picks free ports, but changes nothing.
/// </summary>
public sealed class LocalPlanner(LocalLayout layout, LocalSettings settings, ReleaseStore store, ProcessSupervisor processes)
{
    public const string Environment = "local";

    public DeploymentPlan PlanDeploy(ReleaseManifest release)
    {
        var previous = layout.CurrentRelease();
        var ports = Ports();
        var releaseDirectory = layout.ReleaseDirectory(release.Id);
        var archives = store.PathOf(new ReleaseId(release.Id));
        var (databaseSteps, databaseUrl) = Database(ports);

        var stages = new List<Stage>
        {
            new(Stage.Validate, [new VerifyRelease(release.Id)]),
            new(Stage.Lock, []),
            new(Stage.Database, databaseSteps),
            new(Stage.StageRelease,
            [
                // A release already unpacked here (same id, same bytes) is not unpacked again: its files may be serving.
                .. IsStaged(release) ? [] : release.Artifacts.Select(x => (DeployStep)new ExtractArtifact(Path.Combine(archives, x.File), Path.Combine(releaseDirectory, x.Name))),
                .. IsStaged(release) ? Array.Empty<DeployStep>() : [new CopyFile(Path.Combine(archives, ReleaseManifest.FileName), Path.Combine(releaseDirectory, ReleaseManifest.FileName))],
                new WriteEnvironmentFile(layout.EnvironmentFile, settings.ConfigurationKeys),
            ]),
            new(Stage.Migrate, [new MigrateDatabase(settings.SupabaseCli, Path.Combine(releaseDirectory, "migrations"), databaseUrl)]),
        };
        stages.AddRange(Launch(release.Id, ports, previous));
        var started = NewProcessNames(stages);
        return new DeploymentPlan(DeploymentKind.Deploy, Environment, release.Id, previous, stages,
            Stop(started), previous is null ? [] : SwitchBack(previous, started));
    }

    PortAllocator Ports()
    {
        var inUse = processes.All().Where(x => x.Port is not null).Select(x => x.Port!.Value).Append(settings.EdgePort);
        return AllocatePorts?.Invoke(inUse) ?? new PortAllocator(inUse, settings.PortRange);
    }

    /// <summary>Makes a plan's port allocator from the ports in use; null probes local.portRange (tests fix the ports, so plans compare as text).</summary>
    public Func<IEnumerable<int>, PortAllocator>? AllocatePorts { get; init; }

    bool IsStaged(ReleaseManifest release)
    {
        var manifest = Path.Combine(layout.ReleaseDirectory(release.Id), ReleaseManifest.FileName);
        return File.Exists(manifest) && ReleaseManifest.Load(manifest).Artifacts.SequenceEqual(release.Artifacts) &&
               release.Artifacts.All(x => Directory.Exists(Path.Combine(layout.ReleaseDirectory(release.Id), x.Name)));
    }

    public DeploymentPlan PlanRollback(string target)
    {
        var current = layout.CurrentRelease();
        var ports = Ports();
        var (databaseSteps, _) = Database(ports);
        var stages = new List<Stage>
        {
            new(Stage.Validate, []),
            new(Stage.Lock, []),
            new(Stage.Database, databaseSteps),
        };
        stages.AddRange(Launch(target, ports, current));
        var started = NewProcessNames(stages);
        return new DeploymentPlan(DeploymentKind.Rollback, Environment, target, current, stages,
            Stop(started), current is null ? [] : SwitchBack(current, started));
    }

    /// <summary>The embedded database's start (unless running) and its URL; nothing for an external database.</summary>
    public (IReadOnlyList<DeployStep> Steps, string Url) Database(PortAllocator ports)
    {
        if (settings.ExternalDatabase)
            return ([], "${DATABASE_URL}"); // resolved by the runner: the plan never holds a secret
        var port = DatabasePort(ports);
        var spec = new ProcessSpec(LocalLayout.DatabaseProcess, "node", [settings.PgliteServer, "-d", layout.Database, "-p", port.ToString(), "-m", "32"])
        {
            Port = port,
        };
        return ([new StartProcess(spec, KeepIfRunning: true), new WaitForPort("the embedded database", port, TimeSpan.FromSeconds(60))],
            EmbeddedDatabaseUrl(port));
    }

    int? _databasePort;

    /// <summary>The running embedded database's port, else one picked for it now (the same for the whole plan).</summary>
    int DatabasePort(PortAllocator ports)
    {
        var running = processes.Find(LocalLayout.DatabaseProcess);
        return _databasePort ??= running is { Port: { } existing } && running.IsAlive() ? existing : ports.Next();
    }

    /// <summary>The embedded database's URL: no password in it (clients read PGPASSWORD from the 0600 env file).</summary>
    public static string EmbeddedDatabaseUrl(int port) => $"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable";

    IEnumerable<Stage> Launch(string release, PortAllocator ports, string? previous)
    {
        var directory = layout.ReleaseDirectory(release);
        var webPort = ports.Next();
        var workerPort = ports.Next();
        var common = new Dictionary<string, string>
        {
            ["MESHHOOK_RELEASE"] = release,
            ["NODE_ENV"] = "production",
            ["SHUTDOWN_TIMEOUT"] = ((int)settings.DrainGrace.TotalSeconds).ToString(),
        };
        // The embedded database's URL holds no secret (its password is PGPASSWORD in the env file); an external one comes from the env file.
        if (!settings.ExternalDatabase)
            common["DATABASE_URL"] = EmbeddedDatabaseUrl(DatabasePort(ports));
        var web = new ProcessSpec(LocalLayout.WebProcess(release, webPort), "node", ["build/index.js"])
        {
            WorkingDirectory = Path.Combine(directory, "web"),
            EnvironmentFile = layout.EnvironmentFile,
            Settings = new Dictionary<string, string>(common)
            {
                ["PORT"] = webPort.ToString(),
                ["HOST"] = "127.0.0.1",
                ["ORIGIN"] = settings.Url.GetLeftPart(UriPartial.Authority),
            },
            Release = release,
            Port = webPort,
            MaskedKeys = settings.SecretKeys,
        };
        var worker = new ProcessSpec(LocalLayout.WorkerProcess(release, workerPort), "node", ["worker.mjs"])
        {
            WorkingDirectory = Path.Combine(directory, "workers"),
            EnvironmentFile = layout.EnvironmentFile,
            Settings = new Dictionary<string, string>(common) { ["WORKER_HEALTH_PORT"] = workerPort.ToString(), ["HOST"] = "127.0.0.1" },
            Release = release,
            Port = workerPort,
            MaskedKeys = settings.SecretKeys,
        };
        var edge = new ProcessSpec(LocalLayout.EdgeProcess, "dotnet",
            [Path.Combine(layout.Edge, Path.GetFileName(settings.EdgeAssembly)), "--listen", settings.Url.GetLeftPart(UriPartial.Authority), "--state", layout.EdgeState])
        {
            Port = settings.EdgePort,
        };
        // A running edge keeps serving (and keeps its files); a new one runs from a copy no later build touches.
        var edgeRunning = processes.Find(LocalLayout.EdgeProcess)?.IsAlive() == true;

        yield return new Stage(Stage.Start,
        [
            .. edgeRunning ? Array.Empty<DeployStep>() : [new InstallProgram("the edge", Path.GetDirectoryName(settings.EdgeAssembly)!, layout.Edge)],
            new StartProcess(edge, KeepIfRunning: true),
            new WaitForPort("the edge", settings.EdgePort, TimeSpan.FromSeconds(30)),
            new StartProcess(web),
            new StartProcess(worker),
        ]);
        yield return new Stage(Stage.HealthCheck,
        [
            new WaitForHealth(web.Name, settings.WebHealthUrl(webPort), release, web.Name),
            new WaitForHealth(worker.Name, WorkerHealthUrl(workerPort), release, worker.Name),
        ]);
        yield return new Stage(Stage.Switch, [new SwitchEdge(release, new Uri($"http://127.0.0.1:{webPort}")), new SwitchCurrent(release)]);
        yield return new Stage(Stage.Verify, [new WaitForHealth("the stable URL", StableHealthUrl, release)]);
        // Every other release process goes: the previous release (drained, not killed) and any orphan of an earlier run.
        var others = processes.All().Where(x => x.Release is not null).Select(x => x.Name).Except([web.Name, worker.Name]).Order().ToList();
        yield return new Stage(Stage.CleanUp, [.. Stop(others), .. RetentionSteps(release, previous)]);
    }

    Uri StableHealthUrl => settings.StableHealthUrl;

    // The worker's health server is its own contract (src/workers/lib/health-server.mjs), not the web's health.path.
    static Uri WorkerHealthUrl(int port) => new($"http://127.0.0.1:{port}/health");

    IReadOnlyList<DeployStep> Stop(IEnumerable<string> names) => names.Select(x => (DeployStep)new StopProcess(x, settings.DrainGrace)).ToList();

    static IReadOnlyList<string> NewProcessNames(IEnumerable<Stage> stages) =>
        stages.SelectMany(x => x.Steps).OfType<StartProcess>().Where(x => x.Spec.Release is not null).Select(x => x.Spec.Name).ToList();

    /// <summary>Back to the release that was serving before the switch: its processes are still running until clean-up.</summary>
    IReadOnlyList<DeployStep> SwitchBack(string previous, IReadOnlyList<string> started)
    {
        var web = processes.All().FirstOrDefault(x => x.Release == previous && x.Name.StartsWith("web-", StringComparison.Ordinal) && x.IsAlive());
        if (web?.Port is not { } port)
            return Stop(started);
        return
        [
            new SwitchEdge(previous, new Uri($"http://127.0.0.1:{port}")),
            new SwitchCurrent(previous),
            new WaitForHealth("the stable URL", StableHealthUrl, previous),
            .. Stop(started),
        ];
    }

    /// <summary>Keep the newest N releases and never the new, the previous or the protected (last known-good) ones.</summary>
    IEnumerable<DeployStep> RetentionSteps(string release, string? previous)
    {
        var keep = new HashSet<string>(layout.StagedReleases().Append(release).Distinct().Order(StringComparer.Ordinal).TakeLast(settings.RetainReleases)) { release };
        if (previous is not null)
            keep.Add(previous);
        foreach (var protectedRelease in ProtectedReleases)
            keep.Add(protectedRelease);
        return layout.StagedReleases().Where(x => !keep.Contains(x)).Select(x => new RemoveRelease(x));
    }

    /// <summary>Releases retention must keep besides the newest (the deployer adds the last known-good one).</summary>
    public IReadOnlyCollection<string> ProtectedReleases { get; init; } = [];
}
