using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// Turns "deploy R" or "roll back to T" into a plan of Container Apps steps (Azure's blue-green by revisions): a new web
/// and worker revision of the release's images at 0 % traffic with the label <c>candidate</c>, checked through its label
/// URL, then 100 % of the traffic in one update, the environment URL verified, the previous web revision kept active (label
/// <c>previous</c>) for an instant rollback and older ones deactivated. Reads only the <see cref="ContainerAppsState"/> it
/// is given: it changes nothing and contacts nothing.
/// </summary>
public sealed class ContainerAppsPlanner(ContainerAppsSettings settings, ReleaseStore store)
{
    public DeploymentPlan PlanDeploy(ReleaseManifest release, ContainerAppsState state)
    {
        var suffix = NewRevision.SuffixFor(release.Id);
        var web = $"{settings.WebApp}--{suffix}";
        var worker = $"{settings.WorkerApp}--{suffix}";
        var previous = Previous(state);
        var existingWeb = state.Web.FirstOrDefault(x => x.Name == web);
        var existingWorker = state.Workers.FirstOrDefault(x => x.Name == worker);

        var start = new List<DeployStep>();
        var health = new List<DeployStep>();
        // A revision of this release may exist (a redeploy with --force): it is activated, not created again (ARM refuses a repeated suffix).
        if (existingWeb is null)
            start.Add(new CreateRevision(settings.WebApp, settings.WebImage(release.Id), suffix, ContainerAppsApi.CandidateLabel));
        else if (!existingWeb.Active)
            start.Add(new ActivateRevision(settings.WebApp, web));
        if (existingWorker is null)
            start.Add(new CreateRevision(settings.WorkerApp, settings.WorkersImage(release.Id), suffix, null));
        else if (!existingWorker.Active)
            start.Add(new ActivateRevision(settings.WorkerApp, worker));
        health.Add(new WaitForRevision(settings.WebApp, web, settings.RevisionTimeout));
        health.Add(new WaitForRevision(settings.WorkerApp, worker, settings.RevisionTimeout));
        if (existingWeb is null)
            health.Add(new VerifyRevisionUrl(settings.WebApp, ContainerAppsApi.CandidateLabel, release.Id));

        var stages = new List<Stage>
        {
            new(Stage.Validate, [new VerifyRelease(release.Id)]),
            new(Stage.Lock, []),
            new(Stage.Migrate, Migrations(release)),
            new(Stage.Start, start),
            new(Stage.HealthCheck, health),
        };
        stages.AddRange(SwitchAndAfter(release.Id, web, worker, previous?.Name == web ? null : previous));
        return new DeploymentPlan(DeploymentKind.Deploy, settings.Environment, release.Id, PreviousRelease(previous, web), stages,
            BeforeSwitch(state, web, existingWeb is null, worker, existingWorker is null),
            AfterSwitch(state, previous?.Name == web ? null : previous, web, worker));
    }

    /// <summary>
    /// Back to <paramref name="target"/>: its revisions are used if they exist (activated when inactive), else created
    /// from its images (which BuildImages pushed when it was deployed). The database stays as it is.
    /// </summary>
    public DeploymentPlan PlanRollback(string target, ContainerAppsState state)
    {
        var previous = Previous(state);
        var webRevision = state.Web.Where(x => x.Release == target).OrderByDescending(x => x.Active).ThenByDescending(x => x.Created).FirstOrDefault();
        var workerRevision = state.Workers.Where(x => x.Release == target).OrderByDescending(x => x.Active).ThenByDescending(x => x.Created).FirstOrDefault();
        var suffix = NewRevision.SuffixFor(target);
        var web = webRevision?.Name ?? $"{settings.WebApp}--{suffix}";
        var worker = workerRevision?.Name ?? $"{settings.WorkerApp}--{suffix}";

        var start = new List<DeployStep>();
        var health = new List<DeployStep>();
        if (webRevision is null)
            start.Add(new CreateRevision(settings.WebApp, settings.WebImage(target), suffix, ContainerAppsApi.CandidateLabel));
        else if (!webRevision.Active)
            start.Add(new ActivateRevision(settings.WebApp, web));
        if (workerRevision is null)
            start.Add(new CreateRevision(settings.WorkerApp, settings.WorkersImage(target), suffix, null));
        else if (!workerRevision.Active)
            start.Add(new ActivateRevision(settings.WorkerApp, worker));
        health.Add(new WaitForRevision(settings.WebApp, web, settings.RevisionTimeout));
        health.Add(new WaitForRevision(settings.WorkerApp, worker, settings.RevisionTimeout));
        if (webRevision is null)
            health.Add(new VerifyRevisionUrl(settings.WebApp, ContainerAppsApi.CandidateLabel, target));

        var stages = new List<Stage> { new(Stage.Validate, []), new(Stage.Lock, []), new(Stage.Start, start), new(Stage.HealthCheck, health) };
        stages.AddRange(SwitchAndAfter(target, web, worker, previous?.Name == web ? null : previous));
        return new DeploymentPlan(DeploymentKind.Rollback, settings.Environment, target, PreviousRelease(previous, web), stages,
            BeforeSwitch(state, web, webRevision is not { Active: true }, worker, workerRevision is not { Active: true }),
            AfterSwitch(state, previous?.Name == web ? null : previous, web, worker));
    }

    /// <summary>The web revision serving now if it runs a release; a placeholder image (first deploy) is not kept for a rollback.</summary>
    static AppRevision? Previous(ContainerAppsState state) => state.ServingWeb is { Release: not null } serving ? serving : null;

    /// <summary>The release serving before: null for a first deploy over a placeholder image (nothing of ours to go back to).</summary>
    static string? PreviousRelease(AppRevision? previous, string newWeb) => previous is null || previous.Name == newWeb ? null : previous.Release;

    IReadOnlyList<DeployStep> Migrations(ReleaseManifest release)
    {
        var artifact = release.Artifacts.FirstOrDefault(x => x.Name == "migrations");
        if (artifact is null || !settings.HasDatabase)
            return [];
        var workdir = Path.Combine(settings.MigrationsDirectory, release.Id);
        return
        [
            new ExtractArtifact(Path.Combine(store.PathOf(new ReleaseId(release.Id)), artifact.File), workdir),
            // ${DATABASE_URL}: resolved from the secret provider when the step runs, so the plan never holds a secret.
            new MigrateDatabase(settings.SupabaseCli, workdir, "${DATABASE_URL}"),
        ];
    }

    IEnumerable<Stage> SwitchAndAfter(string release, string web, string worker, AppRevision? previous)
    {
        yield return new Stage(Stage.Switch, [new ShiftTraffic(settings.WebApp, web, 100, previous is null ? null : ContainerAppsApi.PreviousLabel)]);
        yield return new Stage(Stage.Verify,
        [
            new WaitForHealth("the environment URL", settings.HealthUrl, release),
            new VerifyWorkersRelease(settings.HealthUrl, release),
        ]);
        // The previous web revision stays active (instant rollback); workers of one release only, so no job runs twice.
        yield return new Stage(Stage.CleanUp,
        [
            new DeactivateRevisions(settings.WebApp, previous is null ? [web] : [web, previous.Name]),
            new DeactivateRevisions(settings.WorkerApp, [worker]),
        ]);
    }

    /// <summary>Failure before the switch: take the new revisions out of service (the old web kept all the traffic); workers that ran before run again.</summary>
    IReadOnlyList<DeployStep> BeforeSwitch(ContainerAppsState state, string web, bool webIsNew, string worker, bool workerIsNew)
    {
        var steps = new List<DeployStep>();
        steps.AddRange(state.ActiveWorkers.Where(x => x.Name != worker).Select(x => (DeployStep)new ActivateRevision(settings.WorkerApp, x.Name)));
        if (workerIsNew)
            steps.Add(new DeactivateRevision(settings.WorkerApp, worker));
        if (webIsNew)
            steps.Add(new DeactivateRevision(settings.WebApp, web));
        return steps;
    }

    /// <summary>Failure after the switch: all the traffic back to the previous web revision (still active), verified; its workers back.</summary>
    IReadOnlyList<DeployStep> AfterSwitch(ContainerAppsState state, AppRevision? previous, string web, string worker)
    {
        if (previous?.Release is not { } release)
            return [];
        var steps = new List<DeployStep> { new ShiftTraffic(settings.WebApp, previous.Name, 100, null) };
        steps.AddRange(state.ActiveWorkers.Where(x => x.Name != worker).Select(x => (DeployStep)new ActivateRevision(settings.WorkerApp, x.Name)));
        steps.Add(new WaitForHealth("the environment URL", settings.HealthUrl, release));
        if (state.ActiveWorkers.All(x => x.Name != worker))
            steps.Add(new DeactivateRevision(settings.WorkerApp, worker));
        // A web revision that was active before this run (a rollback's target) stays as it was.
        if (!state.Web.Any(x => x.Name == web && x.Active))
            steps.Add(new DeactivateRevision(settings.WebApp, web));
        return steps;
    }

    /// <summary>The rollback target when none is named: the latest release the journal saw succeed other than the current one.</summary>
    public static string? PreviousGood(IEnumerable<string> succeededReleases, string? current) =>
        succeededReleases.Where(x => x != current).LastOrDefault();

    internal static UserFacingException UnknownRelease(string release, ContainerAppsState state, string store) =>
        new($"Unknown release '{release}': no revision runs it and {store} does not hold it. Releases with revisions: " +
            $"{string.Join(", ", state.Web.Select(x => x.Release).OfType<string>().Distinct().DefaultIfEmpty("none"))}.");
}
