using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Health;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// MeshHook on this machine: deploy, roll back, list releases, report status, stop and unlock. Plans come from
/// <see cref="LocalPlanner"/> and run through the shared <see cref="Deployer"/>.
/// </summary>
public sealed class LocalEnvironment
{
    readonly LocalLayout _layout;
    readonly LocalSettings _settings;
    readonly ReleaseStore _store;
    readonly ToolRunner _tools;
    readonly IDeploymentConfiguration _configuration;
    readonly TimeProvider _time;
    readonly DeploymentLog _log;
    readonly ProcessSupervisor _processes;
    readonly DeploymentJournal _journal;
    readonly EnvironmentLock _lock;
    readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public LocalEnvironment(LocalLayout layout, LocalSettings settings, ReleaseStore store, ToolRunner tools, IDeploymentConfiguration configuration,
        TimeProvider time, DeploymentLog log)
    {
        _layout = layout;
        _settings = settings;
        _store = store;
        _tools = tools;
        _configuration = configuration;
        _time = time;
        _log = log;
        _processes = new ProcessSupervisor(layout.Root, tools, time);
        _journal = new DeploymentJournal(layout.Journal, tools.Masker);
        _lock = new EnvironmentLock(layout.Lock, time);
    }

    public LocalLayout Layout => _layout;
    public DeploymentJournal Journal => _journal;
    public ProcessSupervisor Processes => _processes;

    // Retention never removes the last known-good release, nor the one a rollback after this deploy would go back to.
    LocalPlanner Planner => new(_layout, _settings, _store, _processes)
    {
        ProtectedReleases = _journal.ReadDeployments().Where(x => x.Succeeded).Select(x => x.Release!).Reverse().Distinct().Take(2).ToList(),
    };

    EdgeSwitch Edge => new(_layout.EdgeState, _settings.Url, _http, _time);

    public async Task<DeploymentResult?> DeployAsync(ReleaseManifest release, DeployOptions options, CancellationToken cancellationToken)
    {
        if (!options.Force && _layout.CurrentRelease() == release.Id)
        {
            var report = await new HealthProbe(_http, _time).GetAsync(_settings.StableHealthUrl, _settings.Health.RequestTimeout, cancellationToken);
            if (report.IsHealthyAt(release.Id))
            {
                _log.Information($"{release.Id} is already current and healthy at {_settings.Url}: nothing to do (--force deploys it again).");
                return null;
            }
            _log.Warning($"{release.Id} is current but not healthy ({report.Describe()}): deploying it again.");
        }
        return await RunAsync(() => Planner.PlanDeploy(release), release.Commit, options, cancellationToken);
    }

    public async Task<DeploymentResult?> RollbackAsync(string? target, DeployOptions options, CancellationToken cancellationToken)
    {
        var current = _layout.CurrentRelease();
        var chosen = target ?? PreviousGoodRelease(current)
            ?? throw new UserFacingException($"There is no earlier successfully deployed release to roll back to. {AvailableReleases()}");
        if (!_layout.StagedReleases().Contains(chosen))
            throw new UserFacingException($"Unknown release '{chosen}'. {AvailableReleases()}");
        if (chosen == current && !options.Force)
            throw new UserFacingException($"{chosen} is already the current release. {AvailableReleases()}");

        var manifest = StagedManifest(chosen);
        var newer = current is null ? [] : StagedManifest(current)?.Migrations.Except(manifest?.Migrations ?? []).ToList() ?? [];
        var migrationsStay = "The database is not rolled back (migrations are forward-only)." + (newer.Count == 0
            ? " No migration was applied since " + chosen + "."
            : $" Applied since {chosen} and staying: {string.Join(", ", newer)}.");
        _log.Warning(migrationsStay);
        // Observers hear it only when a migration does stay (a warning worth announcing).
        return await RunAsync(() => Planner.PlanRollback(chosen), manifest?.Commit, options, cancellationToken,
            newer.Count == 0 ? [] : [(DeploymentWarningKind.MigrationNotUndone, migrationsStay)]);
    }

    async Task<DeploymentResult?> RunAsync(Func<DeploymentPlan> makePlan, string? commit, DeployOptions options, CancellationToken cancellationToken,
        IReadOnlyList<(DeploymentWarningKind Kind, string Message)>? warnings = null)
    {
        if (options.DryRun)
        {
            _log.Information("Dry run: nothing is changed.\n" + makePlan().Describe());
            return null;
        }
        _layout.EnsurePrivate();
        var result = await Deployer(warnings).RunAsync(makePlan, new DeploymentRequest(options.Actor, commit, options.LockWait) { Override = options.Reason }, cancellationToken);
        _log.Information($"{result.Kind} of {result.ReleaseId} succeeded in {result.Duration.TotalSeconds:0.0} s: MeshHook answers at {_settings.Url}");
        return result;
    }

    /// <summary>Required participants of every deploy (<see cref="Stages.Deployer.Participants"/>: the reliability harness's faults).</summary>
    public IList<IDeploymentObserver> Participants { get; } = new List<IDeploymentObserver>();

    LocalStepRunner Runner() => new(_layout, _settings, _store, _processes, new HealthProbe(_http, _time), Edge, _tools,
        _configuration.WriteEnvironmentFileAsync, _configuration.Value, _time, _log);

    /// <summary>Told of each deployment's start, stages, warnings and outcome (the notifiers).</summary>
    public IList<IDeploymentObserver> Observers { get; } = new List<IDeploymentObserver>();

    Deployer Deployer(IReadOnlyList<(DeploymentWarningKind Kind, string Message)>? warnings = null) =>
        new(_journal, _lock, Runner(), _time, _log) { Participants = Participants.ToList(), Recover = RecoverAsync, Observers = Observers.ToList(), Warnings = warnings ?? [] };

    /// <summary>
    /// Repairs what a killed run left, under the lock: when the edge serves a healthy release, current is made to point at
    /// it and every other release process (an orphan of the killed run) is stopped; when nothing healthy is served, the
    /// current, then the last known-good, then the newest other release is started and switched to.
    /// </summary>
    async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var probe = new HealthProbe(_http, _time);
        var served = Edge.Read()?.Release;
        var edgeAlive = _processes.Find(LocalLayout.EdgeProcess)?.IsAlive() == true;
        if (edgeAlive && served is not null &&
            (await probe.GetAsync(_settings.StableHealthUrl, _settings.Health.RequestTimeout, cancellationToken)).IsHealthyAt(served))
        {
            if (_layout.CurrentRelease() != served && _layout.StagedReleases().Contains(served))
            {
                _log.Warning($"current pointed at {_layout.CurrentRelease() ?? "nothing"} but the edge serves a healthy {served}: current now points at {served}.");
                CurrentLink.Point(_layout, served);
            }
            foreach (var orphan in _processes.All().Where(x => x.Release is not null && x.Release != served))
            {
                _log.Warning($"Stopping {orphan.Name}: left running by an interrupted run, it serves nothing.");
                await _processes.StopAsync(orphan.Name, _settings.DrainGrace, cancellationToken);
            }
            return;
        }

        var candidates = new[] { _layout.CurrentRelease(), KnownGood() }
            .Concat(_layout.StagedReleases().Reverse()).OfType<string>().Distinct()
            .Where(x => File.Exists(Path.Combine(_layout.ReleaseDirectory(x), ReleaseManifest.FileName))).ToList();
        if (candidates.Count == 0)
            return; // nothing was ever deployed here
        _log.Warning($"The stable URL serves nothing healthy ({(edgeAlive ? "edge up" : "edge down")}, edge state {served ?? "none"}): recovering.");
        var runner = Runner();
        foreach (var candidate in candidates)
        {
            var plan = Planner.PlanRollback(candidate);
            try
            {
                foreach (var step in plan.Stages.Where(x => x.Name is not (Stage.Validate or Stage.Lock)).SelectMany(x => x.Steps))
                    await runner.RunAsync(step, cancellationToken);
                _log.Warning($"Recovered: {candidate} is serving at {_settings.Url}.");
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _log.Warning($"Could not bring back {candidate}: {exception.Message}");
                foreach (var step in plan.OnFailureBeforeSwitch)
                    await runner.RunAsync(step, CancellationToken.None);
            }
        }
        throw new UserFacingException($"No release could be brought back: tried {string.Join(", ", candidates)}. See the logs in {Path.Combine(_layout.Shared, "logs")}.");
    }

    /// <summary>Status and the like call this: recovery runs only when a killed run left something (stale lock, open entry).</summary>
    public async Task RecoverIfInterruptedAsync(string actor, CancellationToken cancellationToken)
    {
        var holder = _lock.ReadHolder();
        var interrupted = holder is not null && _lock.IsStale(holder) || _journal.ReadDeployments().Any(x => x.IsOpen) && holder is null;
        if (interrupted)
        {
            _layout.EnsurePrivate();
            await Deployer().RepairAsync(actor, cancellationToken);
        }
    }

    public IReadOnlyList<ReleaseRow> Releases()
    {
        var deployments = _journal.ReadDeployments();
        var current = _layout.CurrentRelease();
        return _layout.StagedReleases().Select(id =>
        {
            var last = deployments.LastOrDefault(x => x.Release == id);
            var manifest = StagedManifest(id);
            return new ReleaseRow(id, manifest?.Version, manifest?.Commit, last?.Start.At, last?.Start.Actor, last?.Outcome ?? (last is null ? null : "running"), id == current);
        }).ToList();
    }

    public async Task<EnvironmentStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var report = await new HealthProbe(_http, _time).GetAsync(_settings.StableHealthUrl, _settings.Health.RequestTimeout, cancellationToken);
        return new EnvironmentStatus(_settings.Url.ToString(), _layout.CurrentRelease(), report.Error is null ? report.Status : "unreachable",
            report.Version, _lock.ReadHolder(), _processes.All().Where(x => x.IsAlive()).Select(Unit).ToList(), _journal.ReadDeployments().LastOrDefault());
    }

    static DeploymentUnit Unit(ProcessRecord process) => new(process.Name, process.Release)
    {
        Pid = process.Pid, Port = process.Port, Log = process.LogFile, StartedAt = process.StartedAt,
    };

    /// <summary>Stops every process of the environment: releases first (drained), then the edge and the database.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var records = _processes.All();
        foreach (var record in records.OrderBy(x => x.Release is null ? 1 : 0).ThenBy(x => x.Name == LocalLayout.DatabaseProcess ? 1 : 0))
        {
            _log.Information($"Stopping {record.Name}{(record.IsAlive() ? "" : " (already gone)")}");
            await _processes.StopAsync(record.Name, _settings.DrainGrace, cancellationToken);
        }
        if (records.Count == 0)
            _log.Information("Nothing is running.");
    }

    public LockHolder? Unlock() => _lock.ForceRelease();

    /// <summary>The release of the latest successful deploy or rollback (retention never removes it).</summary>
    public string? KnownGood() => _journal.ReadDeployments().LastOrDefault(x => x.Succeeded)?.Release;

    string? PreviousGoodRelease(string? current) =>
        _journal.ReadDeployments().Where(x => x.Succeeded && x.Release != current && _layout.StagedReleases().Contains(x.Release!))
            .Select(x => x.Release).LastOrDefault();

    ReleaseManifest? StagedManifest(string id)
    {
        var path = Path.Combine(_layout.ReleaseDirectory(id), ReleaseManifest.FileName);
        return File.Exists(path) ? ReleaseManifest.Load(path) : null;
    }

    string AvailableReleases()
    {
        var rows = Releases();
        return rows.Count == 0
            ? "No release is deployed here yet: ./build.sh Deploy --environment local."
            : "Available: " + string.Join(", ", rows.Select(x => x.Id + (x.Current ? " (current)" : "") + (x.Outcome is null ? "" : $" ({x.Outcome})"))) + ".";
    }
}
