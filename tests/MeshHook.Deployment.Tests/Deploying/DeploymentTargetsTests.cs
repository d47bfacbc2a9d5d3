using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>The seam for target kinds: target.kind picks the target, the verbs hand over to it, and Status reads the same for every kind.</summary>
public sealed class DeploymentTargetsTests : IDisposable
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    DeploymentContext Context(EnvironmentConfiguration environment) => new()
    {
        RepositoryRoot = _temp.Path,
        Environment = environment,
        Configuration = new DeploymentConfiguration(environment, new EnvironmentVariableSecretProvider(environment.Name, "MESHHOOK_", new Dictionary<string, string>(), new SecretMasker()), DeploymentLog.Silent),
        Store = new ReleaseStore(_temp.Combine("artifacts", "releases")),
        Tools = new ToolRunner(new SecretMasker()),
        Variables = new Dictionary<string, string>(),
        Programs = LocalPrograms.InRepository(_temp.Path, "edge.dll"),
        Time = TimeProvider.System,
        Log = DeploymentLog.Silent,
    };

    [Fact]
    public void Target_kind_local_is_the_local_target_served_by_the_edge()
    {
        var target = DeploymentTargets.Create(Context(Samples.Parse(Samples.Local)));

        var local = Assert.IsType<LocalTarget>(target);
        Assert.Equal(Path.Combine(_temp.Path, ".deploy", "local"), local.Environment.Layout.Root);
        Assert.True(DeploymentTargets.UsesEdge(TargetKind.Local));
        Assert.False(DeploymentTargets.UsesEdge(TargetKind.ContainerApps));
    }

    [Fact]
    public void Target_kind_container_apps_is_the_container_apps_target_on_the_apps_environment_json_names()
    {
        var target = DeploymentTargets.Create(Context(Samples.Parse(Samples.Dev, EnvironmentName.Dev)));

        var cloud = Assert.IsType<Targets.ContainerApps.ContainerAppsTarget>(target);
        Assert.Equal(("ca-meshhook-dev-web", "ca-meshhook-dev-workers", "crmeshhookdevmh01.azurecr.io"),
            (cloud.Settings.WebApp, cloud.Settings.WorkerApp, cloud.Settings.Registry));
        Assert.Equal("crmeshhookdevmh01.azurecr.io/meshhook-web:20260303-090000-2c2c2c2c2c2c", cloud.Settings.WebImage("20260303-090000-2c2c2c2c2c2c"));
    }

    [Fact]
    public async Task Stop_of_a_container_apps_environment_changes_nothing_and_names_terraform()
    {
        Samples.WriteRepository(_temp.Path, EnvironmentName.Dev, Samples.Dev);
        var said = new List<string>();
        var operations = new EnvironmentOperations(_temp.Path, EnvironmentName.Dev, new ReleaseStore(_temp.Combine("artifacts", "releases")),
            new ToolRunner(new SecretMasker()), new Dictionary<string, string>(), LocalPrograms.InRepository(_temp.Path, "edge.dll"),
            TimeProvider.System, new DeploymentLog(said.Add, said.Add));

        Assert.False(operations.UsesEdge);
        await operations.StopAsync(Token);

        Assert.Contains(said, x => x.StartsWith("Nothing was changed: dev's container apps", StringComparison.Ordinal) && x.Contains("Terraform", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_temp.Combine(".deploy")));
    }

    [Fact]
    public void Status_lists_local_processes_as_before_and_cloud_revisions_with_their_traffic()
    {
        var started = DateTimeOffset.Parse("2026-03-03T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var last = new DeploymentRecord(new JournalEntry
        {
            Type = JournalEntryTypes.Started, DeploymentId = "d-1", At = started, Kind = "deploy", Release = "r2",
        }, [], new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = "d-1", At = started, Outcome = Outcomes.Succeeded });
        var local = new EnvironmentStatus("http://127.0.0.1:8480/", "r2", "ok", "r2", null,
        [
            new DeploymentUnit("database", null) { Pid = 10, Port = 42000 },
            new DeploymentUnit("web-r2-42001", "r2") { Pid = 11, Port = 42001 },
            new DeploymentUnit("edge", null) { Pid = 12 },
        ], last);

        // The local table as it was before the seam (pid and port of each process).
        Assert.Equal("""
            Environment:     local
            URL:             http://127.0.0.1:8480/
            Current release: r2
            Health:          ok (serving r2)
            Lock:            free
            Last deployment: deploy of r2 at 2026-03-03 09:00:00Z: succeeded
            Processes:       database (pid 10, port 42000), web-r2-42001 (pid 11, port 42001), edge (pid 12)
            """, EnvironmentOperations.StatusText("local", local));

        var cloud = local with
        {
            Units =
            [
                new DeploymentUnit("ca-meshhook-dev-web--r2", "r2") { State = "running", TrafficPercent = 100 },
                new DeploymentUnit("ca-meshhook-dev-web--r1", "r1") { State = "running", TrafficPercent = 0 },
                new DeploymentUnit("web", "r2") { Host = "app1.example.com", State = "running", Port = 3000 },
            ],
        };
        Assert.EndsWith("Processes:       ca-meshhook-dev-web--r2 (running, 100 % traffic), ca-meshhook-dev-web--r1 (running, 0 % traffic), " +
                        "web (on app1.example.com, running, port 3000)", EnvironmentOperations.StatusText("dev", cloud));
    }

    /// <summary>A lock and journal that are not files (as blobs will be): the Deployer needs nothing but the interfaces.</summary>
    [Fact]
    public async Task The_deployer_runs_a_plan_through_any_lock_and_journal()
    {
        var journal = new MemoryJournal();
        var environmentLock = new MemoryLock();
        var ran = new List<string>();
        var deployer = new Deployer(journal, environmentLock, new Runner(ran), TimeProvider.System, DeploymentLog.Silent);
        var plan = new DeploymentPlan(DeploymentKind.Deploy, "dev", "r2", "r1",
        [
            new Stage(Stage.Validate, [new VerifyRelease("r2")]),
            new Stage(Stage.Lock, []),
            new Stage(Stage.Switch, [new WaitForHealth("the stable URL", new Uri("https://dev.example.com/health"), "r2")]),
        ], [], []);

        var result = await deployer.RunAsync(plan, new DeploymentRequest("tester@test", "abc", TimeSpan.Zero), Token);

        Assert.Equal(Outcomes.Succeeded, result.Outcome);
        Assert.Equal([plan.Stages[0].Steps[0].Describe(), plan.Stages[2].Steps[0].Describe()], ran);
        Assert.Equal([$"acquire {result.DeploymentId}", $"release {result.DeploymentId}"], environmentLock.Calls);
        var record = Assert.Single(await journal.ReadDeploymentsAsync(Token));
        Assert.Equal(("r2", "r1", Outcomes.Succeeded), (record.Release, record.Start.PreviousRelease, record.Outcome));
        Assert.Equal([Stage.Lock, Stage.Switch], record.Stages.Select(x => x.Stage));
    }

    sealed class Runner(List<string> ran) : IStepRunner
    {
        public Task RunAsync(DeployStep step, CancellationToken cancellationToken)
        {
            ran.Add(step.Describe());
            return Task.CompletedTask;
        }
    }

    sealed class MemoryJournal : IDeploymentJournal
    {
        readonly List<JournalEntry> _entries = [];

        public string Location => "memory";

        public Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
        {
            _entries.Add(entry);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<JournalEntry>>(_entries.ToList());
    }

    sealed class MemoryLock : IEnvironmentLock
    {
        LockHolder? _holder;

        public List<string> Calls { get; } = [];

        public string Location => "memory";

        public Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken)
        {
            if (_holder is not null)
                throw new LockHeldException($"held by {_holder.Describe()}", _holder);
            _holder = holder;
            Calls.Add($"acquire {holder.DeploymentId}");
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        public Task ReleaseAsync(string deploymentId, CancellationToken cancellationToken)
        {
            if (_holder?.DeploymentId == deploymentId)
                _holder = null;
            Calls.Add($"release {deploymentId}");
            return Task.CompletedTask;
        }

        public Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken) => Task.FromResult(_holder);

        public Task<bool> IsStaleAsync(LockHolder holder, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<LockHolder?> ForceReleaseAsync(CancellationToken cancellationToken)
        {
            var holder = _holder;
            _holder = null;
            return Task.FromResult(holder);
        }
    }
}
