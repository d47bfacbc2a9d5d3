using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Targets.Ssh;
using Snapshooter.Xunit3;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// The ssh target's plans as data, compared with the committed snapshots in __snapshots__: every remote command as it is
/// sent (quoted), the uploads, the parallel lanes, the switch groups of bootLimit and the switch-back. Nothing is run;
/// the hosts' state is given.
/// </summary>
public sealed class SshPlanTests
{
    const string Previous = "20260302-090000-1b1b1b1b1b1b", Next = "20260303-090000-2c2c2c2c2c2c";
    static readonly SshHost Web1 = new("10.0.0.11", 22, "deploy", [SshRole.Web, SshRole.Workers]);
    static readonly SshHost Web2 = new("10.0.0.12", 22, "deploy", [SshRole.Web]);
    static readonly SshHost Web3 = new("10.0.0.13", 2222, "deploy", [SshRole.Web]) { DeployPath = "/opt/meshhook" };
    static readonly SshHost Worker = new("10.0.0.21", 22, "deploy", [SshRole.Workers]);

    static SshSettings Settings(int bootLimit, params SshHost[] hosts) => new()
    {
        Options = new SshTargetOptions
        {
            Hosts = hosts,
            DeployPath = "/srv/meshhook",
            Key = new SecretReference("SSH_PRIVATE_KEY"),
            HostKeys = hosts.ToDictionary(x => x, _ => (IReadOnlyList<string>)[]),
            BootLimit = bootLimit,
            EdgePort = 8480,
        },
        Environment = "staging",
        HealthPath = "/health",
        Url = new Uri("https://meshhook.example.com"),
        ConfigurationKeys = ["MESHHOOK_ENVIRONMENT", "ORIGIN", "DATABASE_URL"],
        SecretKeys = ["DATABASE_URL"],
        EdgeAssembly = "/repo/artifacts/build/edge/MeshHook.Edge.dll",
        SupabaseCli = "/repo/tools/node_modules/supabase/bin/supabase",
        LocalMigrations = "/repo/.deploy/staging/migrations",
    };

    static ReleaseManifest Manifest(string id) => MeshHook.Deployment.Tests.Deploying.PlanManifests.For(id);

    static SshHostState Fresh(SshHost host, int port) => new(host, null, [], [], [port, port + 1]);

    static SshHostState Serving(SshHost host, int port) => new(host, Previous, [Previous],
    [
        new("edge", null, 8480, 100, DateTimeOffset.UnixEpoch, "/srv/meshhook/shared/logs/edge.log", Alive: true),
        new($"web-{Previous}-{port - 10}", Previous, port - 10, 101, DateTimeOffset.UnixEpoch, "/srv/meshhook/shared/logs/web.log", Alive: true),
    ], [port, port + 1]);

    static readonly ReleaseStore Store = new("/repo/artifacts/releases");

    [Fact]
    public void First_deploy_to_two_hosts_uploads_verifies_and_starts_everything_then_switches_one_host_at_a_time()
    {
        var plan = new SshPlanner(Settings(1, Web1, Worker), Store, [Fresh(Web1, 41000), Fresh(Worker, 42000)]).PlanDeploy(Manifest(Next));

        Assert.Null(plan.PreviousReleaseId);
        Snapshot.Match(plan.Describe());
    }

    [Fact]
    public void Deploy_over_three_web_hosts_switches_in_groups_of_the_boot_limit_and_can_switch_the_switched_ones_back()
    {
        var plan = new SshPlanner(Settings(2, Web1, Web2, Web3), Store, [Serving(Web1, 41010), Serving(Web2, 41020), Serving(Web3, 41030)])
            .PlanDeploy(Manifest(Next));

        Assert.Equal(Previous, plan.PreviousReleaseId);
        Assert.Equal(2, plan.Stages.Count(x => x.Name == Stages.Stage.Switch));
        Assert.IsType<SwitchBackSwitchedHosts>(plan.OnFailureAfterSwitch[0]);
        Snapshot.Match(plan.Describe());
    }

    [Fact]
    public void Rollback_starts_the_release_every_host_has_and_refuses_one_a_host_lacks()
    {
        var states = new[] { Serving(Web1, 41010) with { Staged = ["20260301-090000-0a0a0a0a0a0a", Previous] }, Serving(Web2, 41020) };
        var planner = new SshPlanner(Settings(1, Web1, Web2), Store, states);

        var error = Assert.Throws<Tooling.UserFacingException>(() => planner.PlanRollback("20260301-090000-0a0a0a0a0a0a"));

        Assert.Equal($"20260301-090000-0a0a0a0a0a0a is not staged on {Web2.Name}: roll back to a release every host has.", error.Message);
        Snapshot.Match(planner.PlanRollback(Previous).Describe());
    }
}
