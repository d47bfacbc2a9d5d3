using System.Text.Json;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Health;
using HealthOptions = MeshHook.Deployment.Health.HealthOptions;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Tooling;

/// <summary>
/// A real ssh deployer in its own process, for the tests that kill one mid-deploy: it deploys a release to the hosts a
/// JSON spec names and, when the named stage has finished the named number of times, writes <c>&lt;work&gt;/paused</c> (and prints PAUSED) and blocks
/// (the test SIGKILLs it there, at a known point, instead of guessing with a sleep).
/// </summary>
static class SshDeploy
{
    public sealed record HostSpec(string Address, int Port, string User, string DeployPath, string Fingerprint);

    public sealed record Spec(IReadOnlyList<HostSpec> Hosts, string KeyFile, string Store, string EdgeAssembly, int EdgePort, int BootLimit,
        string ReleaseId, string PauseStage, int PauseCount, string Work, int ReleasePortsFirst, int ReleasePortsLast);

    public static async Task<int> RunAsync(string specFile)
    {
        var spec = JsonSerializer.Deserialize<Spec>(File.ReadAllText(specFile), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var hosts = spec.Hosts.Select(x => new SshHost(x.Address, x.Port, x.User, [SshRole.Web, SshRole.Workers]) { DeployPath = x.DeployPath }).ToList();
        var options = new SshTargetOptions
        {
            Hosts = hosts,
            DeployPath = "/unused",
            Key = new SecretReference("SSH_PRIVATE_KEY"),
            HostKeys = hosts.Select((x, i) => (x, spec.Hosts[i].Fingerprint)).ToDictionary(x => x.x, x => (IReadOnlyList<string>)[x.Fingerprint]),
            BootLimit = spec.BootLimit,
            EdgePort = spec.EdgePort,
            ReleasePorts = new PortRange(spec.ReleasePortsFirst, spec.ReleasePortsLast),
        };
        var settings = new SshSettings
        {
            Options = options,
            Environment = "staging",
            HealthPath = "/health",
            Url = new Uri($"http://{hosts[0].Address}:{spec.EdgePort}"),
            ConfigurationKeys = ["MESHHOOK_ENVIRONMENT"],
            EdgeAssembly = spec.EdgeAssembly,
            SupabaseCli = "unused",
            LocalMigrations = Path.Combine(spec.Work, "migrations"),
            DrainGrace = TimeSpan.FromSeconds(5),
        };
        var store = new ReleaseStore(spec.Store);
        var key = File.ReadAllText(spec.KeyFile);
        var log = new DeploymentLog(x => Console.WriteLine(x), x => Console.WriteLine("warning: " + x));
        await using var target = new SshTarget(settings, () => key, store, new Configuration(), new ToolRunner(new SecretMasker()),
            new HealthOptions(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), TimeProvider.System, log,
            [new Pause(spec.PauseStage, spec.PauseCount, spec.Work)]);
        await target.DeployAsync(store.Get(spec.ReleaseId), new DeployOptions { Actor = "killed@test" }, CancellationToken.None);
        Console.WriteLine("FINISHED without pausing");
        return 5;
    }

    /// <summary>Stops the deployer right after the n-th end of a stage: the test kills it there.</summary>
    sealed class Pause(string stage, int count, string work) : IDeploymentObserver
    {
        int _seen;

        public Task StageFinishedAsync(StageFinished finished, CancellationToken cancellationToken)
        {
            if (finished.Stage != stage || Interlocked.Increment(ref _seen) != count)
                return Task.CompletedTask;
            Console.WriteLine("PAUSED after " + stage);
            File.WriteAllText(Path.Combine(work, "paused"), stage);
            // Blocks the deployer's own thread (not a task the observer timeout could leave behind): nothing more happens
            // until the test kills this process. Bounded: a test that died must not leave us here.
            Thread.Sleep(TimeSpan.FromMinutes(2));
            Environment.Exit(6);
            return Task.CompletedTask;
        }
    }

    sealed class Configuration : IDeploymentConfiguration
    {
        public IReadOnlyList<string> Keys => ["MESHHOOK_ENVIRONMENT"];
        public IReadOnlyList<string> SecretKeys => [];

        public Task WriteEnvironmentFileAsync(string path, CancellationToken cancellationToken)
        {
            File.WriteAllText(path, "MESHHOOK_ENVIRONMENT=staging\n");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return Task.CompletedTask;
        }

        public string? Value(string key) => null;
    }
}
