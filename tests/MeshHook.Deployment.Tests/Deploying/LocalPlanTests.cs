using System.Text.Json;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;
using Snapshooter.Xunit3;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>
/// The local target's plans as data (Kamal's command tests): what a deploy or rollback would do, compared with the
/// committed snapshots in __snapshots__. Nothing is run. The state the planner reads (current link, unpacked releases,
/// process records) is real files in a temporary folder, shown as /srv/meshhook; ports come from a fixed allocator.
/// A running process is a record of this test process (alive, so the planner treats it as running).
/// </summary>
public sealed class LocalPlanTests : IDisposable
{
    const string Shown = "/srv/meshhook";
    const string Older = "20260301-090000-0a0a0a0a0a0a", Previous = "20260302-090000-1b1b1b1b1b1b", Next = "20260303-090000-2c2c2c2c2c2c";
    const string Oldest = "20260228-090000-0f0f0f0f0f0f";

    readonly TempDirectory _temp = new();
    readonly LocalLayout _layout;
    readonly ProcessSupervisor _processes;
    readonly ReleaseStore _store;

    public LocalPlanTests()
    {
        _layout = LocalLayout.For(_temp.Path);
        _processes = new ProcessSupervisor(_layout.Root, new ToolRunner(new SecretMasker()), TimeProvider.System);
        _store = new ReleaseStore(_temp.Combine("artifacts", "releases"));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void First_deploy_starts_the_database_edge_and_release_then_switches()
    {
        Snapshot.Match(Show(Planner(Settings()).PlanDeploy(Manifest(Next))));
    }

    [Fact]
    public void Deploy_over_a_previous_release_keeps_the_running_edge_and_database_and_can_switch_back()
    {
        StageReleases(Oldest, Older, Previous);
        CurrentLink.Point(_layout, Previous);
        Running("edge", null, 8480);
        Running("database", null, 42000);
        Running($"web-{Previous}-42011", Previous, 42011);
        Running($"worker-{Previous}-42012", Previous, 42012);

        var plan = Planner(Settings(), protectedReleases: [Previous]).PlanDeploy(Manifest(Next));

        Assert.Equal(Previous, plan.PreviousReleaseId);
        Snapshot.Match(Show(plan));
    }

    [Fact]
    public void Rollback_starts_the_staged_release_without_unpacking_it_and_switches_back_if_it_fails()
    {
        StageReleases(Older, Previous, Next);
        CurrentLink.Point(_layout, Next);
        Running("edge", null, 8480);
        Running("database", null, 42000);
        Running($"web-{Next}-42021", Next, 42021);
        Running($"worker-{Next}-42022", Next, 42022);

        var plan = Planner(Settings(), protectedReleases: [Next, Previous]).PlanRollback(Previous);

        Assert.Equal(Next, plan.PreviousReleaseId);
        Snapshot.Match(Show(plan));
    }

    [Fact]
    public void An_external_database_is_migrated_through_its_configured_url_and_no_embedded_database_starts()
    {
        var plan = Planner(Settings() with { ExternalDatabase = true }).PlanDeploy(Manifest(Next));

        Assert.DoesNotContain(plan.Stages.SelectMany(x => x.Steps).OfType<StartProcess>(), x => x.Spec.Name == LocalLayout.DatabaseProcess);
        Snapshot.Match(Show(plan));
    }

    LocalPlanner Planner(LocalSettings settings, IReadOnlyCollection<string>? protectedReleases = null) =>
        new(_layout, settings, _store, _processes)
        {
            ProtectedReleases = protectedReleases ?? [],
            // Ports in order from 42001, as if every one were free: the plan does not depend on this machine.
            AllocatePorts = inUse => new PortAllocator(inUse, (42001, 42099), isFree: _ => true, random: new FromTheStart()),
        };

    static LocalSettings Settings() => new()
    {
        Url = new Uri("http://127.0.0.1:8480"),
        Health = new Health.HealthOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5)) { Path = "/health" },
        ConfigurationKeys = ["MESHHOOK_ENVIRONMENT", "ORIGIN", "PGPASSWORD"],
        SecretKeys = ["PGPASSWORD"],
        RetainReleases = 3,
        EdgeAssembly = "/repo/artifacts/build/edge/MeshHook.Edge.dll",
        PgliteServer = "/repo/tools/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js",
        SupabaseCli = "/repo/tools/node_modules/supabase/dist/supabase.js",
    };

    static ReleaseManifest Manifest(string id) => PlanManifests.For(id);

    /// <summary>Releases unpacked in the environment as a deploy leaves them (release.json beside each artifact's folder).</summary>
    void StageReleases(params string[] ids)
    {
        foreach (var id in ids)
        {
            var manifest = Manifest(id);
            foreach (var artifact in manifest.Artifacts)
                Directory.CreateDirectory(Path.Combine(_layout.ReleaseDirectory(id), artifact.Name));
            File.WriteAllText(Path.Combine(_layout.ReleaseDirectory(id), ReleaseManifest.FileName), manifest.ToJson());
        }
    }

    /// <summary>A process record as the supervisor writes it, of this (live) test process.</summary>
    void Running(string name, string? release, int port)
    {
        Directory.CreateDirectory(_processes.RunDirectory);
        var record = new ProcessRecord(name, Environment.ProcessId, ProcessIdentity.Current.StartTicks, release, port, _processes.LogFile(name),
            DateTimeOffset.UnixEpoch);
        File.WriteAllText(Path.Combine(_processes.RunDirectory, name + ".json"), JsonSerializer.Serialize(record, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    }

    string Show(Stages.DeploymentPlan plan) => plan.Describe().Replace(_temp.Path, Shown, StringComparison.Ordinal);

    sealed class FromTheStart : Random
    {
        public override int Next(int maxValue) => 0;
    }
}
