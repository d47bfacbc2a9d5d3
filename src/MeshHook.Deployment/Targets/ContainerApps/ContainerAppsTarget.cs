using Azure.Storage.Blobs;
using MeshHook.Deployment.CloudState;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Health;
using HealthOptions = MeshHook.Deployment.Health.HealthOptions;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.SignIn;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// <c>target.kind: containerApps</c>: releases run as revisions of the web and worker container apps infra/ creates.
/// Plans come from <see cref="ContainerAppsPlanner"/> over the apps' revisions as ARM reports them, and run through the
/// shared <see cref="Deployer"/> with the journal as append blobs and the lock as a blob lease in the environment's
/// deployment-state container. Azure is contacted (and a token fetched) only when a verb really runs: a dry run prints the
/// plan without credentials.
/// </summary>
public sealed class ContainerAppsTarget : IDeploymentTarget
{
    readonly DeploymentContext _context;
    readonly ContainerAppsConnections? _connections;
    readonly EnvironmentConfiguration _environment;
    readonly TargetOptions _target;
    readonly ContainerAppsSettings _settings;
    readonly HttpClient _http;
    Azure.Core.TokenCredential? _credential;
    ContainerAppsClient? _client;
    BlobContainerClient? _container;
    BlobJournal? _journal;
    ISecretProvider? _secrets;

    ContainerAppsTarget(DeploymentContext context, ContainerAppsConnections? connections)
    {
        _context = context;
        _connections = connections ?? AzureLoopback.FromVariables(context.Variables, context.Environment, context.Tools.Masker, context.Time, context.Log);
        _environment = context.Environment;
        _target = context.Environment.Target;
        _settings = new ContainerAppsSettings
        {
            Environment = _environment.Name.ToText(),
            WebApp = _target.WebApp!,
            WorkerApp = _target.WorkerApp!,
            Registry = _target.Registry!,
            Url = _environment.Url,
            HealthPath = _environment.Health.Path,
            RevisionTimeout = _environment.Health.Timeout,
            SupabaseCli = context.Programs.SupabaseCli,
            MigrationsDirectory = Path.Combine(context.RepositoryRoot, ".deploy", _environment.Name.ToText(), "migrations"),
            HasDatabase = _environment.Database.Url is not null,
        };
        _http = _connections?.Health ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
    }

    public static ContainerAppsTarget Create(DeploymentContext context) => new(context, null);

    internal static ContainerAppsTarget Create(DeploymentContext context, ContainerAppsConnections? connections) => new(context, connections);

    public ContainerAppsSettings Settings => _settings;

    public IDeploymentJournal Journal => _journal ??= new BlobJournal(Container, _settings.Environment, _context.Tools.Masker);

    DeploymentLog Log => _context.Log;

    Azure.Core.TokenCredential Credential => _credential ??= AzureCredentials.Create(_context.Variables, _context.Tools.Masker);

    BlobContainerClient Container => _container ??= _connections?.State() ?? StateContainer();

    BlobContainerClient StateContainer()
    {
        var state = _target.State ?? throw new UserFacingException($"{_environment.File} names no target.state (the deployment-state container URL, infra output deployment_state_url).");
        return BlobState.Container(new Uri(state.GetLeftPart(UriPartial.Authority)), state.AbsolutePath.Trim('/'), Credential);
    }

    ContainerAppsClient Client => _client ??= _connections?.Arm() ?? new ContainerAppsClient(Credential,
        new ContainerAppsClientOptions { Environment = _settings.Environment, Time = _context.Time });

    ISecretProvider Secrets => _secrets ??= _connections?.Secrets()
        ?? SecretProviders.Create(_environment, _context.RepositoryRoot, _context.Variables, _context.Tools.Masker, _context.Time, Credential);

    TimeProvider HealthTime => _connections?.HealthTime ?? _context.Time;

    HealthOptions HealthOptions => new(_environment.Health.Interval, _environment.Health.Timeout, _environment.Health.RequestTimeout) { Path = _environment.Health.Path };

    /// <summary>The subscription: environment.json's target.subscriptionId, else AZURE_SUBSCRIPTION_ID.</summary>
    string SubscriptionId =>
        _connections?.SubscriptionId ?? _target.SubscriptionId
        ?? (_context.Variables.GetValueOrDefault(AzureCredentials.SubscriptionIdVariable) is { Length: > 0 } fromVariable ? fromVariable : null)
        ?? throw new UserFacingException(
            $"No Azure subscription for {_settings.Environment}: set {AzureCredentials.SubscriptionIdVariable} (the GitHub environment's variable that infra/ sets; " +
            $"on a laptop `export {AzureCredentials.SubscriptionIdVariable}=$(az account show --query id -o tsv)`) or target.subscriptionId in {_environment.File}.");

    ContainerAppId App(string name) => new(SubscriptionId, _target.ResourceGroup!, name);

    ContainerAppsPlanner Planner => new(_settings, _context.Store);

    public async Task<DeploymentResult?> DeployAsync(ReleaseManifest release, DeployOptions options, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            Log.Information("Dry run: nothing is changed and Azure is not contacted (no credentials are used), so the revisions serving now are shown as <current>.\n" +
                            Planner.PlanDeploy(release, DryRunState()).Describe());
            return null;
        }
        var state = await ReadStateAsync(cancellationToken);
        if (!options.Force && state.CurrentRelease == release.Id)
        {
            var report = await new HealthProbe(_http, HealthTime).GetAsync(_settings.HealthUrl, _environment.Health.RequestTimeout, cancellationToken);
            if (report.IsHealthyAt(release.Id))
            {
                Log.Information($"{release.Id} is already current and healthy at {_settings.Url}: nothing to do (--force deploys it again).");
                return null;
            }
            Log.Warning($"{release.Id} is current but not healthy ({report.Describe()}): deploying it again.");
        }
        return await RunAsync(() => Planner.PlanDeploy(release, state), async token => state = await ReadStateAsync(token), release.Commit, options, cancellationToken);
    }

    public async Task<DeploymentResult?> RollbackAsync(string? releaseId, DeployOptions options, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            // Without Azure the previous release is unknown: a stand-in id is planned and shown as what it stands for.
            const string standIn = "20000101-000000-0000000";
            var plan = Planner.PlanRollback(releaseId ?? standIn, DryRunState()).Describe();
            if (releaseId is null)
                plan = plan.Replace(NewRevision.SuffixFor(standIn), "<suffix of the previous release>", StringComparison.Ordinal)
                    .Replace(standIn, "<the previous successful release>", StringComparison.Ordinal);
            Log.Information("Dry run: nothing is changed and Azure is not contacted (no credentials are used), so the revisions serving now are shown as <current>.\n" + plan);
            return null;
        }
        var state = await ReadStateAsync(cancellationToken);
        var current = state.CurrentRelease;
        var succeeded = (await Journal.ReadDeploymentsAsync(cancellationToken)).Where(x => x.Succeeded).Select(x => x.Release!).ToList();
        var target = releaseId ?? ContainerAppsPlanner.PreviousGood(succeeded, current)
            ?? throw new UserFacingException($"There is no earlier successfully deployed release of {_settings.Environment} to roll back to. {Available(state)}");
        var known = state.Web.Any(x => x.Release == target) || _context.Store.List().Any(x => x.Value == target);
        if (!known)
            throw ContainerAppsPlanner.UnknownRelease(target, state, _context.Store.Directory);
        if (target == current && !options.Force)
            throw new UserFacingException($"{target} is already the current release of {_settings.Environment}. {Available(state)}");
        Log.Warning("The database is not rolled back (migrations are forward-only): the release brought back must work with the schema as it is.");
        var commit = _context.Store.List().Any(x => x.Value == target) ? _context.Store.Get(target).Commit : null;
        return await RunAsync(() => Planner.PlanRollback(target, state), async token => state = await ReadStateAsync(token), commit, options, cancellationToken);
    }

    async Task<DeploymentResult?> RunAsync(Func<DeploymentPlan> makePlan, Func<CancellationToken, Task> refresh, string? commit, DeployOptions options,
        CancellationToken cancellationToken)
    {
        await using var environmentLock = new BlobLeaseLock(Container, _settings.Environment, _context.Tools.Masker, _context.Time);
        // The plan the Deployer runs (made again once the lock is held) tells the guard which step is the switch.
        DeploymentPlan? running = null;
        var guarded = new LeaseGuardedRunner(Runner(), environmentLock, () => running);
        // Recover re-reads the revisions once the lock is held, so the plan acts on the apps as they are then.
        var deployer = new Deployer(Journal, environmentLock, guarded, _context.Time, Log) { Observers = _context.Observers, Recover = refresh };
        var result = await deployer.RunAsync(() => running = makePlan(), new DeploymentRequest(options.Actor, commit, options.LockWait) { Override = options.Reason },
            cancellationToken);
        if (guarded.LostReason is { } lost)
            Log.Warning($"{result.Kind} of {result.ReleaseId} is live and verified, but the environment lock was lost after the switch, so the clean-up " +
                        $"was not done (older revisions may still be active): {lost} Check ./build.sh Status before deploying again.");
        Log.Information($"{result.Kind} of {result.ReleaseId} succeeded in {result.Duration.TotalSeconds:0.0} s: MeshHook answers at {_settings.Url}");
        return result;
    }

    ContainerAppsTargetRunner Runner() => new(new ContainerAppsStepRunner(Client, SubscriptionId, _target.ResourceGroup!, new HealthProbe(_http, HealthTime), HealthOptions),
        Client, App, _context.Store, _context.Tools, Secrets, _environment.Database.Url?.Name, new HealthProbe(_http, HealthTime), HealthOptions, HealthTime, Log);

    /// <summary>The revisions of both apps as ARM reports them now.</summary>
    public async Task<ContainerAppsState> ReadStateAsync(CancellationToken cancellationToken)
    {
        var web = await Client.ListRevisionsAsync(App(_settings.WebApp), cancellationToken);
        var workers = await Client.ListRevisionsAsync(App(_settings.WorkerApp), cancellationToken);
        static IReadOnlyList<AppRevision> Ordered(IEnumerable<Revision> revisions) =>
            revisions.Select(AppRevision.From).OrderBy(x => x.Created ?? DateTimeOffset.MinValue).ThenBy(x => x.Name, StringComparer.Ordinal).ToList();
        return new ContainerAppsState(Ordered(web), Ordered(workers));
    }

    /// <summary>What a dry run shows as serving now, without asking Azure.</summary>
    ContainerAppsState DryRunState() => new(
        [new AppRevision($"{_settings.WebApp}--<current>", "<current>", true, 100)],
        [new AppRevision($"{_settings.WorkerApp}--<current>", "<current>", true, 0)]);

    public async Task<IReadOnlyList<ReleaseRow>> ReleasesAsync(CancellationToken cancellationToken)
    {
        var state = await ReadStateAsync(cancellationToken);
        var deployments = await Journal.ReadDeploymentsAsync(cancellationToken);
        var manifests = _context.Store.List().Select(x => x.Value).ToHashSet();
        return state.Web.Select(x => x.Release).OfType<string>().Distinct().Select(id =>
        {
            var last = deployments.LastOrDefault(x => x.Release == id);
            var manifest = manifests.Contains(id) ? _context.Store.Get(id) : null;
            return new ReleaseRow(id, manifest?.Version, manifest?.Commit, last?.Start.At, last?.Start.Actor,
                last?.Outcome ?? (last is null ? null : "running"), id == state.CurrentRelease);
        }).ToList();
    }

    public async Task<EnvironmentStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var state = await ReadStateAsync(cancellationToken);
        var report = await new HealthProbe(_http, HealthTime).GetAsync(_settings.HealthUrl, _environment.Health.RequestTimeout, cancellationToken);
        await using var environmentLock = new BlobLeaseLock(Container, _settings.Environment, _context.Tools.Masker, _context.Time);
        var holder = await environmentLock.ReadHolderAsync(cancellationToken);
        var last = (await Journal.ReadDeploymentsAsync(cancellationToken)).LastOrDefault();
        var units = state.Web.Where(x => x.Active).Concat(state.ActiveWorkers).Select(x => new DeploymentUnit(x.Name, x.Release)
        {
            State = x.State,
            TrafficPercent = state.Web.Contains(x) ? x.TrafficPercent : null,
            StartedAt = x.Created,
        }).ToList();
        return new EnvironmentStatus(_settings.Url.ToString(), state.CurrentRelease, report.Error is null ? report.Status : "unreachable", report.Version,
            holder, units, last);
    }

    /// <summary>Cloud apps are not stopped by a deploy verb: that is a change of their shape, which Terraform owns.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Log.Information($"Nothing was changed: {_settings.Environment}'s container apps ({_settings.WebApp}, {_settings.WorkerApp}) are stopped through Terraform " +
                        "(scale min_replicas to 0 in infra/environments/" + _settings.Environment + "/terraform.tfvars, then ./build.sh TerraformApply) or the Azure portal, " +
                        "not by Stop, which stops the local environment's processes.");
        return Task.CompletedTask;
    }

    public async Task<LockHolder?> UnlockAsync(CancellationToken cancellationToken)
    {
        await using var environmentLock = new BlobLeaseLock(Container, _settings.Environment, _context.Tools.Masker, _context.Time);
        return await environmentLock.ForceReleaseAsync(cancellationToken);
    }

    static string Available(ContainerAppsState state)
    {
        var releases = state.Web.Select(x => x.Release).OfType<string>().Distinct().ToList();
        return releases.Count == 0
            ? "No release has a revision yet: ./build.sh Deploy first."
            : "Releases with revisions: " + string.Join(", ", releases.Select(x => x + (x == state.CurrentRelease ? " (current)" : ""))) + ".";
    }
}
