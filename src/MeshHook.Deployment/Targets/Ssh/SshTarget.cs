using Azure.Storage.Blobs;
using MeshHook.Deployment.CloudState;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Health;
using HealthOptions = MeshHook.Deployment.Health.HealthOptions;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.SignIn;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// <c>target.kind: ssh</c>: the environment's hosts over SSH. Plans come from <see cref="SshPlanner"/> over the hosts'
/// state (read in parallel just before), run through the shared <see cref="Deployer"/> with the lock and journal on the
/// first host.
/// </summary>
public sealed class SshTarget : IDeploymentTarget, IAsyncDisposable
{
    readonly SshSettings _settings;
    readonly SshConnections _connections;
    readonly IEnvironmentLock _lock;
    readonly IDeploymentJournal _journal;
    readonly ReleaseStore _store;
    readonly IDeploymentConfiguration _configuration;
    readonly ToolRunner _tools;
    readonly TimeProvider _time;
    readonly DeploymentLog _log;
    readonly HealthOptions _health;
    readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    readonly IReadOnlyList<IDeploymentObserver> _observers;
    string? _holding;
    bool _interrupted;
    IReadOnlyList<SshHostState>? _states;

    public SshTarget(SshSettings settings, Func<string> privateKey, ReleaseStore store, IDeploymentConfiguration configuration, ToolRunner tools,
        HealthOptions health, TimeProvider time, DeploymentLog log, IReadOnlyList<IDeploymentObserver> observers,
        Func<SshConnections, SshDeploymentState>? state = null)
    {
        _settings = settings;
        _store = store;
        _configuration = configuration;
        _tools = tools;
        _health = health;
        _time = time;
        _log = log;
        _observers = observers;
        var options = settings.Options;
        _connections = new SshConnections(options.HostKeys, privateKey, TimeSpan.FromSeconds(20));
        var where = state?.Invoke(_connections) ?? SshDeploymentState.OnFirstHost(_connections, options, tools.Masker, time);
        (_lock, _journal) = (where.Lock, where.Journal);
    }

    public static SshTarget Create(DeploymentContext context) => Create(context, null);

    /// <param name="stateContainer">
    /// TEST-ONLY: the deployment-state container to use instead of target.state's (Azurite). Internal and set in process by
    /// tests only, as the containerApps target's connections: a real deploy always signs in to the container environment.json names.
    /// </param>
    internal static SshTarget Create(DeploymentContext context, Func<BlobContainerClient>? stateContainer)
    {
        var environment = context.Environment;
        var options = environment.Target.Ssh!;
        var secrets = Secrets.SecretProviders.Create(environment, context.RepositoryRoot, context.Variables, context.Tools.Masker, context.Time);
        string? key = null;
        string PrivateKey()
        {
            if (key is not null)
                return key;
            // Resolved on first connection only (a dry run of a plan needs the hosts' state, so it connects too).
            key = secrets.GetAsync(options.Key.Name, CancellationToken.None).GetAwaiter().GetResult();
            context.Tools.Masker.Register(key);
            return key;
        }
        var settings = new SshSettings
        {
            Options = options,
            Environment = environment.Name.ToText(),
            HealthPath = environment.Health.Path,
            Url = environment.Url,
            ConfigurationKeys = context.Configuration.Keys,
            SecretKeys = context.Configuration.SecretKeys,
            EdgeAssembly = context.Programs.EdgeAssembly,
            SupabaseCli = context.Programs.SupabaseCli,
            LocalMigrations = Path.Combine(context.RepositoryRoot, ".deploy", environment.Name.ToText(), "migrations"),
            RetainReleases = environment.Retention.Releases,
        };
        var health = new HealthOptions(environment.Health.Interval, environment.Health.Timeout, environment.Health.RequestTimeout) { Path = environment.Health.Path };
        Func<SshConnections, SshDeploymentState>? state = options.State is not { } url ? null : _ => SshDeploymentState.InBlobs(
            stateContainer?.Invoke() ?? BlobState.Container(new Uri(url.GetLeftPart(UriPartial.Authority)), url.AbsolutePath.Trim('/'),
                AzureCredentials.Create(context.Variables, context.Tools.Masker)),
            environment.Name.ToText(), context.Tools.Masker, context.Time);
        return new SshTarget(settings, PrivateKey, context.Store, context.Configuration, context.Tools, health, context.Time, context.Log, context.Observers, state);
    }

    public IDeploymentJournal Journal => _journal;

    public IEnvironmentLock Lock => _lock;

    /// <summary>
    /// Every host's state, read in parallel (one connection per host, kept for the run), without probing for free ports:
    /// what Status, Releases and Stop need (they work even when a host has no free release port left).
    /// </summary>
    public Task<IReadOnlyList<SshHostState>> ReadHostsAsync(CancellationToken cancellationToken) => ReadHostsAsync(0, cancellationToken);

    /// <summary>
    /// Every host's state with the release ports its new processes will listen on, no two of them the same among hosts
    /// sharing a loopback interface (<see cref="SshHostState.Assign"/>): what a deploy, a rollback and a repair plan from.
    /// </summary>
    public async Task<IReadOnlyList<SshHostState>> ReadHostsToStartAsync(CancellationToken cancellationToken) =>
        AssignPorts(await ReadHostsWithCandidatesAsync(cancellationToken));

    IReadOnlyList<SshHostState> AssignPorts(IReadOnlyList<SshHostState> states) =>
        SshHostState.Assign(states, SshPlanner.PortsPerHost, _settings.Options.ReleasePorts);

    /// <summary>
    /// Every host's state with free-port candidates, not yet assigned: enough that each host of a machine shared by every
    /// host still finds ports the others were not given.
    /// </summary>
    Task<IReadOnlyList<SshHostState>> ReadHostsWithCandidatesAsync(CancellationToken cancellationToken) =>
        ReadHostsAsync(SshPlanner.PortsPerHost * _settings.Options.Hosts.Count, cancellationToken);

    async Task<IReadOnlyList<SshHostState>> ReadHostsAsync(int candidates, CancellationToken cancellationToken)
    {
        var options = _settings.Options;
        return await Task.WhenAll(options.Hosts.Select(async host => await SshHostState.ReadAsync(await _connections.ToAsync(host, cancellationToken),
            options.PathOf(host), candidates, options.ReleasePorts, cancellationToken)));
    }

    SshPlanner Planner(IReadOnlyList<SshHostState> states) => new(_settings, _store, states) { ProtectedReleases = _protected };

    // Retention never removes the journal's last two successfully deployed releases (known-good, and what a rollback goes back to).
    IReadOnlyCollection<string> _protected = [];

    async Task<IReadOnlyList<DeploymentRecord>> ReadJournalAsync(CancellationToken cancellationToken)
    {
        var deployments = await _journal.ReadDeploymentsAsync(cancellationToken);
        _protected = deployments.Where(x => x.Succeeded && x.Release is not null).Select(x => x.Release!).Reverse().Distinct().Take(2).ToList();
        return deployments;
    }

    public async Task<DeploymentResult?> DeployAsync(ReleaseManifest release, DeployOptions options, CancellationToken cancellationToken)
    {
        var states = await ReadHostsWithCandidatesAsync(cancellationToken);
        await ReadJournalAsync(cancellationToken);
        // Before the ports are assigned: a release already live everywhere needs none, even when the range is full.
        if (!options.Force && states.All(x => x.Current == release.Id) && await AllServeAsync(release.Id, cancellationToken))
        {
            _log.Information($"{release.Id} is already current and healthy on every host: nothing to do (--force deploys it again).");
            return null;
        }
        _states = AssignPorts(states);
        return await RunAsync(() => Planner(_states!).PlanDeploy(release), release.Commit, options, cancellationToken);
    }

    public async Task<DeploymentResult?> RollbackAsync(string? releaseId, DeployOptions options, CancellationToken cancellationToken)
    {
        var states = _states = await ReadHostsToStartAsync(cancellationToken);
        var current = states[0].Current;
        var deployments = await ReadJournalAsync(cancellationToken);
        var chosen = releaseId ?? deployments.Where(x => x.Succeeded && x.Release != current && states.All(s => s.Staged.Contains(x.Release!)))
                         .Select(x => x.Release).LastOrDefault()
                     ?? throw new UserFacingException("There is no earlier successfully deployed release on every host to roll back to.");
        if (chosen == current && states.All(x => x.Current == chosen) && !options.Force)
            throw new UserFacingException($"{chosen} is already the current release on every host.");
        _log.Warning("The database is not rolled back (migrations are forward-only).");
        return await RunAsync(() => Planner(_states!).PlanRollback(chosen), null, options, cancellationToken);
    }

    SshStepRunner Runner() => new(_connections, _settings, _store, _configuration, _tools, new HealthProbe(_http, _time), _health, _journal,
        () => _holding, _time, _log);

    /// <summary>
    /// The shared deployer over the lock on the first host; once it holds the lock, a killed run's leftovers are repaired
    /// (<see cref="RecoverAsync"/>) before the plan is made again from the hosts' state as it is then.
    /// </summary>
    Deployer Deployer() => new(_journal, new Tracking(_lock, id => _holding = id, OnAcquiredAsync), Runner(), _time, _log)
    {
        Observers = _observers, Recover = RecoverAsync,
    };

    /// <summary>A stale lock taken over, or a run left open in the journal: a deployer was killed, its hosts need repair.</summary>
    async Task OnAcquiredAsync(IReadOnlyList<string> warnings)
    {
        _interrupted = warnings.Count > 0 || (await _journal.ReadDeploymentsAsync(CancellationToken.None)).Any(x => x.IsOpen);
    }

    async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (!_interrupted)
            return;
        _interrupted = false;
        var deployments = await ReadJournalAsync(cancellationToken);
        await new SshRecovery(_settings, ReadHostsToStartAsync, Planner, Runner(), new HealthProbe(_http, _time), _health, _log).RunAsync(deployments, cancellationToken);
        _states = await ReadHostsToStartAsync(cancellationToken);
    }

    /// <summary>Status calls this: the hosts are repaired only when a killed run left something (a stale lock, an open journal entry).</summary>
    public async Task RecoverIfInterruptedAsync(string actor, CancellationToken cancellationToken)
    {
        var holder = await _lock.ReadHolderAsync(cancellationToken);
        var interrupted = holder is not null
            ? await _lock.IsStaleAsync(holder, cancellationToken)
            : (await _journal.ReadDeploymentsAsync(cancellationToken)).Any(x => x.IsOpen);
        if (interrupted)
            await Deployer().RepairAsync(actor, cancellationToken);
    }

    async Task<DeploymentResult?> RunAsync(Func<DeploymentPlan> makePlan, string? commit, DeployOptions options, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            _log.Information("Dry run: nothing is changed.\n" + makePlan().Describe());
            return null;
        }
        var result = await Deployer().RunAsync(makePlan, new DeploymentRequest(options.Actor, commit, options.LockWait), cancellationToken);
        _log.Information($"{result.Kind} of {result.ReleaseId} succeeded in {result.Duration.TotalSeconds:0.0} s on {_settings.Options.Hosts.Count} host(s).");
        return result;
    }

    async Task<bool> AllServeAsync(string release, CancellationToken cancellationToken)
    {
        var probe = new HealthProbe(_http, _time);
        foreach (var host in _settings.Options.Hosts.Where(x => x.Roles.Contains(SshRole.Web)))
            if (!(await probe.GetAsync(_settings.StableHealth(host), _health.RequestTimeout, cancellationToken)).IsHealthyAt(release))
                return false;
        return true;
    }

    public async Task<IReadOnlyList<ReleaseRow>> ReleasesAsync(CancellationToken cancellationToken)
    {
        var states = await ReadHostsAsync(cancellationToken);
        var deployments = await _journal.ReadDeploymentsAsync(cancellationToken);
        return states[0].Staged.Select(id =>
        {
            var last = deployments.LastOrDefault(x => x.Release == id);
            return new ReleaseRow(id, null, null, last?.Start.At, last?.Start.Actor, last?.Outcome ?? (last is null ? null : "running"), id == states[0].Current);
        }).ToList();
    }

    /// <summary>Each host: what its edge serves and how healthy, its current release and its processes.</summary>
    public async Task<EnvironmentStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await RecoverIfInterruptedAsync("status", cancellationToken);
        var states = await ReadHostsAsync(cancellationToken);
        var probe = new HealthProbe(_http, _time);
        var units = new List<DeploymentUnit>();
        string? serving = null, healthText = null;
        foreach (var state in states)
        {
            if (state.Host.Roles.Contains(SshRole.Web))
            {
                var report = await probe.GetAsync(_settings.StableHealth(state.Host), _health.RequestTimeout, cancellationToken);
                units.Add(new DeploymentUnit("edge", report.Version) { Host = state.Host.Name, State = report.Error is null ? report.Status : "unreachable", Port = _settings.Options.EdgePort });
                serving ??= report.Version;
                healthText = healthText is null or "ok" ? report.Error is null ? report.Status : "unreachable" : healthText;
            }
            units.AddRange(state.Processes.Where(x => x.Alive && x.Name != LocalLayout.EdgeProcess).Select(x => new DeploymentUnit(x.Name, x.Release)
            {
                Host = state.Host.Name, State = state.Current == x.Release ? "current" : "running", Pid = x.Pid, Port = x.Port, Log = x.Log, StartedAt = x.StartedAt,
            }));
        }
        var currents = states.Select(x => x.Current).Distinct().ToList();
        return new EnvironmentStatus(_settings.Url.ToString(), currents.Count == 1 ? currents[0] : string.Join(" / ", states.Select(x => $"{x.Host.Name}: {x.Current ?? "none"}")),
            healthText, serving, await _lock.ReadHolderAsync(cancellationToken), units, (await _journal.ReadDeploymentsAsync(cancellationToken)).LastOrDefault());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var states = await ReadHostsAsync(cancellationToken);
        var runner = new SshStepRunner(_connections, _settings, _store, _configuration, _tools, new HealthProbe(_http, _time), _health, _journal,
            () => null, _time, _log);
        foreach (var state in states)
            foreach (var process in state.Processes.Where(x => x.Alive).OrderBy(x => x.Release is null ? 1 : 0))
            {
                _log.Information($"Stopping {process.Name} on {state.Host.Name}");
                await runner.RunAsync(new StopRemote(state.Host, process.Name, _settings.DrainGrace), cancellationToken);
            }
    }

    public Task<LockHolder?> UnlockAsync(CancellationToken cancellationToken) => _lock.ForceReleaseAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_lock is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
        await _connections.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>The lock, remembering the deployment that holds it (the runner journals per-host switch-backs under it).</summary>
    sealed class Tracking(IEnvironmentLock inner, Action<string?> holding, Func<IReadOnlyList<string>, Task> acquired) : IEnvironmentLock
    {
        public string Location => inner.Location;

        public async Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
        {
            var warnings = await inner.AcquireAsync(holder, wait, cancellationToken);
            holding(holder.DeploymentId);
            await acquired(warnings);
            return warnings;
        }

        public async Task ReleaseAsync(string deploymentId, CancellationToken cancellationToken)
        {
            holding(null);
            await inner.ReleaseAsync(deploymentId, cancellationToken);
        }

        public Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken) => inner.ReadHolderAsync(cancellationToken);
        public Task<bool> IsStaleAsync(LockHolder holder, CancellationToken cancellationToken) => inner.IsStaleAsync(holder, cancellationToken);
        public Task<LockHolder?> ForceReleaseAsync(CancellationToken cancellationToken) => inner.ForceReleaseAsync(cancellationToken);
    }
}
