using System.Globalization;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>What the ssh planner needs besides the hosts' state.</summary>
public sealed record SshSettings
{
    public required SshTargetOptions Options { get; init; }

    /// <summary>The environment's name (plans and the journal name it).</summary>
    public required string Environment { get; init; }
    public required string HealthPath { get; init; }
    public required Uri Url { get; init; }
    public required IReadOnlyList<string> ConfigurationKeys { get; init; }
    public IReadOnlyList<string> SecretKeys { get; init; } = [];
    public required string EdgeAssembly { get; init; }
    public required string SupabaseCli { get; init; }

    /// <summary>Where this machine unpacks a release's migrations to apply them (under .deploy/&lt;env&gt;/).</summary>
    public required string LocalMigrations { get; init; }

    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Releases kept per host (the environment's <c>retention.releases</c>).</summary>
    public int RetainReleases { get; init; } = new RetentionOptions().Releases;

    /// <summary>A host's layout: the local one under its deploy path.</summary>
    public LocalLayout LayoutOf(SshHost host) => new(Options.PathOf(host));

    public Uri EdgeUrl(SshHost host) => new($"http://{(host.Address.Contains(':') ? $"[{host.Address}]" : host.Address)}:{Options.EdgePort}");

    public Uri StableHealth(SshHost host) => new(EdgeUrl(host), HealthPath);
}

/// <summary>
/// Turns "deploy R" or "roll back to T" into a plan over every host, from the hosts' state read just before: upload and
/// verify on every host in parallel, migrate once from this machine, start beside the old release and health-check on
/// every host, then switch the web hosts in groups of <c>bootLimit</c>; a failure in a later group switches the earlier
/// groups back. Per host the layout is the local one (<see cref="LocalLayout"/>) under <c>deployPath</c>.
/// </summary>
public sealed class SshPlanner(SshSettings settings, ReleaseStore store, IReadOnlyList<SshHostState> states)
{
    public const int PortsPerHost = 2;
    LocalLayout LayoutOf(SshHost host) => settings.LayoutOf(host);
    string Launcher(SshHost host) => LayoutOf(host).Root + "/bin/launch.mjs";
    string ExitFile(SshHost host, string name) => LayoutOf(host).Root + "/run/" + name + ".exit";
    string Incoming(SshHost host, string release) => LayoutOf(host).Root + "/incoming/" + release;

    /// <summary>The release the first host serves (what a failed deploy goes back to, what the journal calls previous).</summary>
    public string? Previous => states[0].Current;

    /// <summary>Releases retention must keep besides the newest (the journal's last known-good ones).</summary>
    public IReadOnlyCollection<string> ProtectedReleases { get; init; } = [];

    public DeploymentPlan PlanDeploy(ReleaseManifest release)
    {
        var archives = store.PathOf(new ReleaseId(release.Id));
        var manifest = Path.Combine(archives, ReleaseManifest.FileName);
        var stages = new List<Stage>
        {
            new(Stage.Validate, [new VerifyRelease(release.Id)]),
            new(Stage.Lock, []),
            new(Stage.StageRelease, [Parallel("stage the release", states.Select(state => Staging(state, release, archives, manifest)))]),
        };
        if (release.Artifacts.FirstOrDefault(x => x.Name == "migrations") is { } migrations)
        {
            var local = Path.Combine(settings.LocalMigrations, release.Id);
            stages.Add(new Stage(Stage.Migrate,
            [
                new ExtractArtifact(Path.Combine(archives, migrations.File), local),
                new MigrateDatabase(settings.SupabaseCli, local, "${DATABASE_URL}"),
            ]));
        }
        return Launch(DeploymentKind.Deploy, release.Id, stages);
    }

    public DeploymentPlan PlanRollback(string target)
    {
        var missing = states.Where(x => !x.Staged.Contains(target)).Select(x => x.Host.Name).ToList();
        if (missing.Count > 0)
            throw new Tooling.UserFacingException($"{target} is not staged on {string.Join(", ", missing)}: roll back to a release every host has.");
        return Launch(DeploymentKind.Rollback, target, [new(Stage.Validate, []), new(Stage.Lock, [])]);
    }

    IReadOnlyList<DeployStep> Staging(SshHostState state, ReleaseManifest release, string archives, string manifest)
    {
        var host = state.Host;
        var layout = LayoutOf(host);
        var uploads = release.Artifacts.Select(x => new Upload(Path.Combine(archives, x.File), Incoming(host, release.Id) + "/" + x.File, x.Sha256, x.Size)).ToList();
        var directory = layout.ReleaseDirectory(release.Id);
        var partial = directory + ".partial";
        var steps = new List<DeployStep>
        {
            new RunRemote(host, new RemoteCommand("mkdir", "-p", "--", Incoming(host, release.Id), layout.Releases, layout.Shared + "/logs", layout.Root + "/run", layout.Root + "/bin")),
            new InstallLauncher(host, Launcher(host)),
        };
        // A release already staged there (same id: same bytes, verified when it was staged) may be serving: left as it is.
        if (!state.Staged.Contains(release.Id))
        {
            var all = uploads.Append(new Upload(manifest, Incoming(host, release.Id) + "/" + ReleaseManifest.FileName, "", 0)).ToList();
            steps.Add(new UploadFiles(host, all));
            steps.Add(new VerifyUploads(host, uploads));
            // Unpacked into a .partial directory, then renamed into place: one round trip (the first failure stops it).
            steps.Add(new RunRemote(host,
            [
                new RemoteCommand("rm", "-rf", "--", partial),
                .. release.Artifacts.SelectMany(artifact => new[]
                {
                    new RemoteCommand("mkdir", "-p", "--", partial + "/" + artifact.Name),
                    new RemoteCommand("tar", "-xzf", Incoming(host, release.Id) + "/" + artifact.File, "-C", partial + "/" + artifact.Name, "--no-same-owner"),
                }),
                new RemoteCommand("cp", "--", Incoming(host, release.Id) + "/" + ReleaseManifest.FileName, partial + "/" + ReleaseManifest.FileName),
                new RemoteCommand("mv", "-T", "--", partial, directory),
                new RemoteCommand("rm", "-rf", "--", Incoming(host, release.Id)),
            ]));
        }
        steps.Add(new WriteRemoteEnvironmentFile(host, layout.EnvironmentFile, settings.ConfigurationKeys));
        if (IsWeb(host) && state.Running(LocalLayout.EdgeProcess) is null)
            steps.Add(new UploadDirectory(host, "the edge", Path.GetDirectoryName(settings.EdgeAssembly)!, layout.Edge));
        return steps;
    }

    static bool IsWeb(SshHost host) => host.Roles.Contains(SshRole.Web);
    static bool IsWorker(SshHost host) => host.Roles.Contains(SshRole.Workers);

    sealed record Started(SshHostState State, StartRemote? Web, StartRemote? Worker, StartRemote? Edge);

    DeploymentPlan Launch(DeploymentKind kind, string release, List<Stage> stages)
    {
        var started = states.Select(state => Start(state, release)).ToList();
        stages.Add(new Stage(Stage.Start, [Parallel("start beside the running release", started.Select(x => new[] { x.Edge, x.Web, x.Worker }.OfType<StartRemote>().ToList())
            .Select((processes, index) => (IReadOnlyList<DeployStep>)(processes.Count == 0 ? [] :
            [
                new StartProcesses(started[index].State.Host, new RemoteCommand("rm", ["-f", "--", .. processes.Select(p => ExitFile(p.Host, p.Name))]), processes),
            ])))]));
        stages.Add(new Stage(Stage.HealthCheck, [Parallel("health-check every host", started.Select(x => (IReadOnlyList<DeployStep>)
        [
            .. HealthOf(x) is { Count: > 0 } endpoints ? new[] { new HostHealth(x.State.Host, endpoints, release) } : [],
            .. x.Edge is null ? [] : new[] { new EdgeReady(x.State.Host, settings.EdgeUrl(x.State.Host)) },
        ]))]));

        var web = started.Where(x => x.Web is not null).ToList();
        foreach (var group in web.Chunk(settings.Options.BootLimit))
            stages.Add(new Stage(Stage.Switch, [Parallel($"switch {string.Join(", ", group.Select(x => x.State.Host.Name))}", group.Select(x => (IReadOnlyList<DeployStep>)
            [
                new SwitchHost(x.State.Host, release, x.Web!.Port!.Value, settings.EdgeUrl(x.State.Host)),
                new VerifyHost(x.State.Host, settings.StableHealth(x.State.Host), release),
            ]))]));
        stages.Add(new Stage(Stage.Verify, web.Select(x => (DeployStep)new VerifyHost(x.State.Host, settings.StableHealth(x.State.Host), release)).ToList()));
        stages.Add(new Stage(Stage.CleanUp, [Parallel("stop the previous release's processes", started.Select(x => (IReadOnlyList<DeployStep>)x.State.Processes
            .Where(p => p.Alive && p.Release is not null && p.Name != x.Web?.Name && p.Name != x.Worker?.Name)
            .Select(p => (DeployStep)new StopRemote(x.State.Host, p.Name, settings.DrainGrace)).ToList())),
            .. SshRetention.Step(settings, states, release, Previous, ProtectedReleases) is { } retention ? [retention] : Array.Empty<DeployStep>()]));

        var stopNew = Parallel("stop what this run started", started.Select(x => (IReadOnlyList<DeployStep>)new[] { x.Web, x.Worker }.OfType<StartRemote>()
            .Select(s => (DeployStep)new StopRemote(x.State.Host, s.Name, settings.DrainGrace, BestEffort: true)).ToList()));
        var back = web.Select(x => x.State.Current is { } current && x.State.Web(current) is { Port: { } port }
            ? new SwitchBackTarget(x.State.Host, current, port, settings.EdgeUrl(x.State.Host))
            : null).OfType<SwitchBackTarget>().ToList();
        IReadOnlyList<DeployStep> afterSwitch = back.Count == 0 ? [stopNew] : [new SwitchBackSwitchedHosts(back, new Uri(settings.HealthPath, UriKind.Relative)), stopNew];
        return new DeploymentPlan(kind, settings.Environment, release, Previous, stages, [stopNew], afterSwitch);
    }

    /// <summary>The health endpoints of what a host starts (polled together, in one round trip).</summary>
    List<HostHealth.Endpoint> HealthOf(Started started) =>
    [
        .. started.Web is null ? [] : new[] { new HostHealth.Endpoint(started.Web.Name, new Uri($"http://127.0.0.1:{started.Web.Port}{settings.HealthPath}")) },
        .. started.Worker is null ? [] : new[] { new HostHealth.Endpoint(started.Worker.Name, new Uri($"http://127.0.0.1:{started.Worker.Port}/health")) },
    ];

    Started Start(SshHostState state, string release)
    {
        var host = state.Host;
        var layout = LayoutOf(host);
        var directory = layout.ReleaseDirectory(release);
        var ports = new Queue<int>(state.FreePorts);
        var common = new Dictionary<string, string>
        {
            ["MESHHOOK_RELEASE"] = release,
            ["NODE_ENV"] = "production",
            ["SHUTDOWN_TIMEOUT"] = ((int)settings.DrainGrace.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        StartRemote? web = null, worker = null, edge = null;
        if (IsWeb(host))
        {
            var port = ports.Dequeue();
            web = Process(host, LocalLayout.WebProcess(release, port), release, port, directory + "/web", new Dictionary<string, string>(common)
            {
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["HOST"] = "127.0.0.1",
                ["ORIGIN"] = settings.Url.GetLeftPart(UriPartial.Authority),
            }, "node", "build/index.js");
            edge = Process(host, LocalLayout.EdgeProcess, null, settings.Options.EdgePort, layout.Root, new Dictionary<string, string>(), "dotnet",
                layout.Edge + "/" + Path.GetFileName(settings.EdgeAssembly), "--listen", settings.EdgeUrl(host).GetLeftPart(UriPartial.Authority),
                "--state", layout.EdgeState) with { KeepIfRunning = true };
            if (state.Running(LocalLayout.EdgeProcess) is not null)
                edge = null;
        }
        if (IsWorker(host))
        {
            var port = ports.Dequeue();
            worker = Process(host, LocalLayout.WorkerProcess(release, port), release, port, directory + "/workers", new Dictionary<string, string>(common)
            {
                ["WORKER_HEALTH_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["HOST"] = "127.0.0.1",
            }, "node", "worker.mjs");
        }
        return new Started(state, web, worker, edge);
    }

    StartRemote Process(SshHost host, string name, string? release, int port, string workingDirectory, Dictionary<string, string> values,
        string program, params string[] arguments)
    {
        var layout = LayoutOf(host);
        var log = layout.Shared + "/logs/" + name + ".log";
        var launch = new List<string> { Launcher(host), "--log", log, "--exit-file", ExitFile(host, name), "--cwd", workingDirectory };
        if (release is not null)
        {
            launch.AddRange(["--env-file", layout.EnvironmentFile]);
            foreach (var key in settings.SecretKeys)
                launch.AddRange(["--mask", key]);
        }
        foreach (var (key, value) in values)
            launch.AddRange(["--set", $"{key}={value}"]);
        launch.Add("--");
        launch.Add(program);
        launch.AddRange(arguments);
        return new StartRemote(host, name, release, port, log, new RemoteCommand("node", launch));
    }

    /// <summary>Steps of several hosts run at once, each host's in order.</summary>
    static InParallel Parallel(string what, IEnumerable<IReadOnlyList<DeployStep>> lanes) => new(what, lanes.Where(x => x.Count > 0).ToList());
}

/// <summary>Lanes of steps run at the same time (one per host), each lane in order; the first failure fails the step once all lanes ended.</summary>
public sealed record InParallel(string What, IReadOnlyList<IReadOnlyList<DeployStep>> Lanes) : DeployStep
{
    public override string Describe() =>
        $"{What}, hosts in parallel:" + string.Concat(Lanes.SelectMany(x => x).Select(x => "\n        · " + x.Describe()));
}
