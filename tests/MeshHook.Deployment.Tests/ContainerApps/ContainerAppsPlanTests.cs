using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.ContainerApps;
using Snapshooter.Xunit3;

namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>
/// The Container Apps target's plans as data (Kamal's command tests), compared with the committed snapshots in
/// __snapshots__: what a deploy or rollback would do to the revisions of the web and worker apps. Nothing runs and
/// nothing is contacted: the apps' revisions are given as <see cref="ContainerAppsState"/>.
/// </summary>
public sealed class ContainerAppsPlanTests
{
    const string Older = "20260301-090000-0a0a0a0a0a0a", Previous = "20260302-090000-1b1b1b1b1b1b", Next = "20260303-090000-2c2c2c2c2c2c";
    const string Web = "ca-meshhook-staging-web", Workers = "ca-meshhook-staging-workers";

    static readonly ContainerAppsSettings Settings = new()
    {
        Environment = "staging",
        WebApp = Web,
        WorkerApp = Workers,
        Registry = "crmeshhookstagmh01.azurecr.io",
        Url = new Uri("https://staging.meshhook.example.com"),
        RevisionTimeout = TimeSpan.FromSeconds(300),
        SupabaseCli = "/repo/tools/node_modules/supabase/dist/supabase.js",
        MigrationsDirectory = "/repo/.deploy/staging/migrations",
    };

    static ContainerAppsPlanner Planner => new(Settings, new ReleaseStore("/repo/artifacts/releases"));

    static string Revision(string app, string release) => $"{app}--{NewRevision.SuffixFor(release)}";

    [Fact]
    public void First_deploy_over_the_placeholder_creates_both_revisions_checks_the_label_url_then_takes_all_the_traffic()
    {
        var state = new ContainerAppsState(
            [new AppRevision($"{Web}--initial", null, true, 100)],
            [new AppRevision($"{Workers}--initial", null, true, 0)]);

        var plan = Planner.PlanDeploy(Manifest(Next), state);

        Assert.Null(plan.PreviousReleaseId);
        Assert.Empty(plan.OnFailureAfterSwitch);
        Snapshot.Match(plan.Describe());
    }

    [Fact]
    public void Deploy_over_a_previous_release_migrates_first_keeps_the_previous_revision_labelled_and_can_shift_back()
    {
        var state = new ContainerAppsState(
            [new AppRevision(Revision(Web, Older), Older, true, 0), new AppRevision(Revision(Web, Previous), Previous, true, 100)],
            [new AppRevision(Revision(Workers, Previous), Previous, true, 0)]);

        var plan = Planner.PlanDeploy(Manifest(Next), state);

        Assert.Equal(Previous, plan.PreviousReleaseId);
        var names = plan.Stages.Select(x => x.Name).ToList();
        Assert.True(names.IndexOf(Stage.Migrate) < names.IndexOf(Stage.Switch), "migrations run before any traffic moves");
        Assert.Contains(plan.OnFailureAfterSwitch, x => x is ShiftTraffic { Weight: 100 } shift && shift.Revision == Revision(Web, Previous));
        Snapshot.Match(plan.Describe());
    }

    [Fact]
    public void Rollback_moves_the_traffic_to_the_still_active_revision_and_activates_its_workers_without_migrating()
    {
        var state = new ContainerAppsState(
            [new AppRevision(Revision(Web, Previous), Previous, true, 0), new AppRevision(Revision(Web, Next), Next, true, 100)],
            [new AppRevision(Revision(Workers, Previous), Previous, false, 0), new AppRevision(Revision(Workers, Next), Next, true, 0)]);

        var plan = Planner.PlanRollback(Previous, state);

        Assert.Equal(Next, plan.PreviousReleaseId);
        Assert.DoesNotContain(plan.Stages, x => x.Name == Stage.Migrate);
        Assert.DoesNotContain(plan.Stages.SelectMany(x => x.Steps), x => x is CreateRevision);
        Snapshot.Match(plan.Describe());
    }

    [Fact]
    public void Rollback_to_a_release_without_a_revision_creates_one_from_its_image()
    {
        var state = new ContainerAppsState(
            [new AppRevision(Revision(Web, Next), Next, true, 100)],
            [new AppRevision(Revision(Workers, Next), Next, true, 0)]);

        var plan = Planner.PlanRollback(Older, state);

        var created = plan.Stages.SelectMany(x => x.Steps).OfType<CreateRevision>().ToList();
        Assert.Equal([$"crmeshhookstagmh01.azurecr.io/meshhook-web:{Older}", $"crmeshhookstagmh01.azurecr.io/meshhook-workers:{Older}"], created.Select(x => x.Image));
        Snapshot.Match(plan.Describe());
    }

    static ReleaseManifest Manifest(string id) => MeshHook.Deployment.Tests.Deploying.PlanManifests.For(id, "github-actions@profullstack/meshhook/actions/runs/1");
}
