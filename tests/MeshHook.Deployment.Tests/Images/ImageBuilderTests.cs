using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Images;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Images;

/// <summary>
/// The image builder for real on this machine: Docker's client without a daemon (the daemon check points DOCKER_HOST at
/// a closed loopback port, so the test means the same where a daemon does run), a real release, real extraction.
/// </summary>
public sealed class ImageBuilderTests : IDisposable
{
    const string Registry = "crmeshhookstagmh01.azurecr.io";
    readonly TempDirectory _temp = new();
    readonly ReleaseStore _store;
    readonly ReleaseManifest _release;
    readonly List<string> _log = [];

    public ImageBuilderTests()
    {
        _temp.Write("web/build/index.js", "console.log('web');\n");
        _temp.Write("web/package.json", "{\"name\":\"web\",\"type\":\"module\"}\n");
        _temp.Write("workers/worker.mjs", "console.log('worker');\n");
        _temp.Write("workers/package.json", "{\"name\":\"workers\",\"type\":\"module\"}\n");
        _temp.Write("migrations/supabase/migrations/20261101000000_init.sql", "select 1;\n");
        _store = new ReleaseStore(_temp.Combine("releases"));
        _release = new ReleasePackager(_store, new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero)))
            .Package(new SourceRevision("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "1.4.0", Dirty: false), "test@machine",
            [
                new ReleaseContent("web", _temp.Combine("web")),
                new ReleaseContent("workers", _temp.Combine("workers")),
                new ReleaseContent("migrations", _temp.Combine("migrations")),
            ], ["20261101000000_init.sql"]);
    }

    public void Dispose() => _temp.Dispose();

    string ContextRoot => _temp.Combine("contexts");

    ImagePlan Plan(IReadOnlyDictionary<string, string?> dockerEnvironment) =>
        new ImagePlanner(new ImageSources(RepositoryFiles.Root), _store, new ImageSettings
        {
            Registry = Registry,
            BaseImage = new ImageSources(RepositoryFiles.Root).BaseImage(),
            DockerEnvironment = dockerEnvironment,
        }, ContextRoot).Plan("staging", _release);

    ImageBuilder Builder() => new(new ToolRunner(new SecretMasker()), _store, _log.Add);

    static int ClosedLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Without_a_Docker_daemon_it_says_so_names_az_acr_build_and_does_nothing()
    {
        var port = ClosedLoopbackPort();
        var plan = Plan(new Dictionary<string, string?> { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{port}" });

        var error = await Assert.ThrowsAsync<DockerDaemonUnavailableException>(() => Builder().RunAsync(plan, TestContext.Current.CancellationToken));

        Assert.StartsWith("No Docker daemon is running (", error.Message);
        Assert.Contains($"127.0.0.1:{port}", error.Message); // docker's own words, naming where it looked
        Assert.Contains("Nothing was built or pushed.", error.Message);
        Assert.Contains($"./build.sh BuildImages --environment staging --release {_release.Id} --image-builder acr", error.Message);
        Assert.Contains($"az acr build --registry crmeshhookstagmh01 --image meshhook-web:{_release.Id} --file Dockerfile --platform linux/amd64", error.Message);
        Assert.Contains($"az acr build --registry crmeshhookstagmh01 --image meshhook-workers:{_release.Id}", error.Message);
        // Nothing half-done: only the check ran, no context was made.
        Assert.Equal([plan.Steps[0].Describe()], _log);
        Assert.False(Directory.Exists(ContextRoot));
    }

    [Fact]
    public async Task The_build_contexts_hold_the_release_artifact_and_the_Dockerfile_only_and_are_removed_afterwards()
    {
        var plan = Plan(new Dictionary<string, string?>());
        var webContext = plan.Steps.OfType<PrepareImageContext>().Single(x => x.Image.Artifact == "web").Context;
        // The plan up to its contexts, then a program that lists what a docker build would receive.
        var listing = new ToolCommand("node", "-e",
            "const fs=require('fs');console.log(fs.readdirSync(process.argv[1],{recursive:true}).sort().join('\\n'))", webContext);
        var inspected = plan with
        {
            Steps = [.. plan.Steps.Where(x => x is VerifyReleaseArtifacts or PrepareImageContext), new RunImageTool(listing)],
        };
        var runner = new RecordingRunner();

        await new ImageBuilder(runner.Tools, _store, _log.Add).RunAsync(inspected, TestContext.Current.CancellationToken);

        Assert.Equal(["Dockerfile", "app", "app/build", "app/build/index.js", "app/package.json"], runner.LastOutput.Split('\n'));
        Assert.False(Directory.Exists(plan.ContextRoot));
    }

    [Fact]
    public async Task An_altered_release_is_refused_before_any_context_is_made()
    {
        var archive = Path.Combine(_store.PathOf(new ReleaseId(_release.Id)), "workers.tar.gz");
        File.AppendAllText(archive, "tampered");
        var plan = Plan(new Dictionary<string, string?>());
        var unchecked_ = plan with { Steps = [.. plan.Steps.Where(x => x is not CheckDockerDaemon)] };

        var error = await Assert.ThrowsAsync<ReleaseException>(() => Builder().RunAsync(unchecked_, TestContext.Current.CancellationToken));

        Assert.Contains("workers.tar.gz does not match release.json", error.Message);
        Assert.False(Directory.Exists(ContextRoot));
    }

    sealed class RecordingRunner
    {
        readonly List<OutputLine> _lines = [];

        public RecordingRunner() => Tools = new ToolRunner(new SecretMasker(), new Sink(_lines));

        public ToolRunner Tools { get; }

        public string LastOutput => string.Join('\n', _lines.Where(x => x.Kind == OutputKind.StandardOutput).Select(x => x.Text));

        sealed class Sink(List<OutputLine> lines) : IToolOutputSink
        {
            public void Write(ToolCommand command, OutputLine line) => lines.Add(line);
        }
    }
}
