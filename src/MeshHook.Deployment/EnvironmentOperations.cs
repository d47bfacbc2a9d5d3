using System.Text;
using System.Text.Json;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets;
using MeshHook.Tooling;

namespace MeshHook.Deployment;

/// <summary>
/// The deploy verbs of one environment (Deploy, Rollback, Releases, Status, Stop, Unlock), whatever its target kind:
/// loads and validates environment.json first, applies its protection rules, then hands over to the target.
/// </summary>
public sealed class EnvironmentOperations
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    readonly string _root;
    readonly EnvironmentConfiguration _configuration;
    readonly ReleaseStore _store;
    readonly ToolRunner _tools;
    readonly IReadOnlyDictionary<string, string> _variables;
    readonly LocalPrograms _programs;
    readonly TimeProvider _time;
    readonly DeploymentLog _log;

    public EnvironmentOperations(string root, EnvironmentName environment, ReleaseStore store, ToolRunner tools,
        IReadOnlyDictionary<string, string> variables, LocalPrograms programs, TimeProvider time, DeploymentLog log)
    {
        _root = root;
        _configuration = EnvironmentConfiguration.Load(root, environment);
        _store = store;
        _tools = tools;
        _variables = variables;
        _programs = programs;
        _time = time;
        _log = log;
    }

    public EnvironmentConfiguration Configuration => _configuration;

    /// <summary>Told of each deploy's and rollback's start, stages, warnings and outcome (the notifiers).</summary>
    public IReadOnlyList<IDeploymentObserver> Observers { get; init; } = [];

    /// <summary>The environment's journal (Notify reads the latest deployment from it).</summary>
    public Journal.IDeploymentJournal Journal => Target().Journal;

    /// <summary>The release manifests of this environment's releases (Notify reads commit, version and migrations).</summary>
    public ReleaseManifest? FindRelease(string id) =>
        new[] { Target() is Targets.Local.LocalTarget local ? Path.Combine(local.Environment.Layout.ReleaseDirectory(id), ReleaseManifest.FileName) : null,
                Path.Combine(_store.Directory, id, ReleaseManifest.FileName) }
            .OfType<string>().Where(File.Exists).Select(ReleaseManifest.Load).FirstOrDefault();

    public async Task DeployAsync(string? releaseId, DeployOptions options, CancellationToken cancellationToken)
    {
        var id = releaseId ?? _store.Latest()?.Value
                 ?? throw new UserFacingException("No release to deploy: run ./build.sh Package, or pass --release <id>.");
        var release = _store.Get(id);
        await Target().DeployAsync(release, Authorize(release, options), cancellationToken);
    }

    public async Task RollbackAsync(string? releaseId, DeployOptions options, CancellationToken cancellationToken)
    {
        await Target().RollbackAsync(releaseId, Authorize(null, options), cancellationToken);
    }

    /// <summary>Whether Deploy and Rollback need the edge built first (BuildEdge): only targets it serves.</summary>
    public bool UsesEdge => DeploymentTargets.UsesEdge(_configuration.Target.Kind);

    public async Task<string> ReleasesAsync(bool json, CancellationToken cancellationToken)
    {
        var rows = await Target().ReleasesAsync(cancellationToken);
        if (json)
            return ReleasesJson(rows, _tools.Masker);
        if (rows.Count == 0)
            return $"No release is deployed to {_configuration.Name.ToText()} yet.";
        var text = new StringBuilder();
        text.AppendLine($"{"",2}{"RELEASE",-30}{"VERSION",-18}{"COMMIT",-14}{"DEPLOYED AT (UTC)",-22}{"BY",-18}OUTCOME");
        foreach (var row in rows)
            text.AppendLine($"{(row.Current ? "* " : "  ")}{row.Id,-30}{row.Version,-18}{row.Commit?[..Math.Min(12, row.Commit.Length)],-14}" +
                            $"{row.DeployedAt?.ToString("yyyy-MM-dd HH:mm:ss"),-22}{row.DeployedBy,-18}{row.Outcome}");
        text.Append("(* current)");
        return text.ToString();
    }

    public async Task<string> StatusAsync(bool json, CancellationToken cancellationToken)
    {
        var status = await Target().StatusAsync(cancellationToken);
        return json ? StatusJson(status, _tools.Masker) : StatusText(_configuration.Name.ToText(), status);
    }

    /// <summary>The table of <c>Status</c>, the same for every target (units are processes, revisions or hosts' processes).</summary>
    public static string StatusText(string environment, EnvironmentStatus status)
    {
        var text = new StringBuilder();
        text.AppendLine($"Environment:     {environment}");
        text.AppendLine($"URL:             {status.Url}");
        text.AppendLine($"Current release: {status.CurrentRelease ?? "none"}");
        text.AppendLine($"Health:          {status.Health ?? "?"}{(status.ServingRelease is null ? "" : $" (serving {status.ServingRelease})")}");
        text.AppendLine($"Lock:            {status.LockHolder?.Describe() ?? "free"}");
        text.AppendLine($"Last deployment: {(status.LastDeployment is { } last ? $"{last.Kind} of {last.Release} at {last.Start.At:u}: {last.Outcome ?? "running"}" : "none")}");
        text.Append($"Processes:       {(status.Units.Count == 0 ? "none" : string.Join(", ", status.Units.Select(x => x.Describe())))}");
        return text.ToString();
    }

    // Masked string by string before serialising: JSON escaping (\u0026, \u0022, \u00E4...) would hide a secret from the masker.
    /// <summary>The JSON of <c>Releases --json</c>, secrets masked.</summary>
    public static string ReleasesJson(IReadOnlyList<ReleaseRow> rows, SecretMasker masker) => MaskedJson.Serialize(rows, Json, masker);

    /// <summary>The JSON of <c>Status --json</c>, secrets masked.</summary>
    public static string StatusJson(EnvironmentStatus status, SecretMasker masker) => MaskedJson.Serialize(status, Json, masker);

    public Task StopAsync(CancellationToken cancellationToken) => Target().StopAsync(cancellationToken);

    public async Task<string> UnlockAsync(CancellationToken cancellationToken) =>
        await Target().UnlockAsync(cancellationToken) is { } holder ? $"Removed the lock of {holder.Describe()}." : "The environment was not locked.";

    /// <summary>
    /// The environment's protection: a dirty release where not allowed, and a release not built on CI to production, are
    /// refused unless --force comes with a reason (returned in the options, journaled with the deployment);
    /// <c>allowedDeployers</c> applies outside GitHub Actions (inside, the GitHub environment's reviewers are the gate).
    /// </summary>
    DeployOptions Authorize(ReleaseManifest? release, DeployOptions options)
    {
        var protection = _configuration.Protection;
        var environment = _configuration.Name.ToText();
        var inActions = ReleaseOrigin.InGitHubActions(_variables);
        if (!inActions && !protection.Allows(options.Actor))
            throw new UserFacingException($"{options.Actor} may not deploy to {environment} (protection.allowedDeployers in {_configuration.File}).");

        var broken = new List<(string Rule, string Refusal)>();
        if (release is { Dirty: true } && !protection.AllowDirtyReleases)
            broken.Add(("a dirty release", $"Release {release.Id} was built from a working tree with uncommitted changes; {environment} accepts only clean releases. Commit, then ./build.sh Package."));
        if (release is not null && _configuration.Name == EnvironmentName.Production && !ReleaseOrigin.IsBuiltOnCi(release))
            broken.Add(("a release not built on CI", $"Release {release.Id} was built by {release.Builder}, not on CI; production accepts only releases GitHub Actions packaged ({ReleaseOrigin.CiPrefix}…). Deploy it through the deploy workflow."));
        if (broken.Count == 0)
            return options with { Reason = null };
        var refusals = string.Join(" ", broken.Select(x => x.Refusal));
        if (!options.Force)
            throw new UserFacingException($"{refusals} To override, add --force --force-reason \"<why>\" (the reason is journaled).");
        if (string.IsNullOrWhiteSpace(options.Reason))
            throw new UserFacingException($"{refusals} --force overrides this only with a reason: add --force-reason \"<why>\" (it is journaled).");
        var note = $"--force deployed {string.Join(" and ", broken.Select(x => x.Rule))} to {environment}: {options.Reason.Trim()}";
        _log.Warning(note);
        return options with { Reason = note };
    }

    IDeploymentTarget? _target;

    /// <summary>The environment's target, made on first use: a kind not available yet fails the verb, not the build's start.</summary>
    IDeploymentTarget Target() => _target ??= DeploymentTargets.Create(new DeploymentContext
    {
        RepositoryRoot = _root,
        Environment = _configuration,
        Configuration = DeployConfiguration(),
        Store = _store,
        Tools = _tools,
        Variables = _variables,
        Programs = _programs,
        Time = _time,
        Log = _log,
        Observers = Observers,
    }, ContainerAppsConnections);

    /// <summary>Tests only: a containerApps environment's Azure endpoints redirected to loopback servers (never set by the build).</summary>
    internal Targets.ContainerApps.ContainerAppsConnections? ContainerAppsConnections { get; init; }

    DeploymentConfiguration? _deploymentConfiguration;

    DeploymentConfiguration DeployConfiguration() =>
        _deploymentConfiguration ??= new DeploymentConfiguration(_configuration,
            SecretProviders.Create(_configuration, _root, _variables, _tools.Masker, _time), _log);
}
