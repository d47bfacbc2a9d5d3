using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Building;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>
/// A real local environment in a temporary folder: the real edge, embedded PGlite database, Supabase CLI and detached
/// node processes, on free loopback ports; releases made from small fixture apps (web and worker speaking the /health
/// contract) so a test can make one unhealthy, break a migration or plant an unsafe archive.
/// </summary>
public sealed class LocalDeployment : IAsyncDisposable
{
    /// <summary>
    /// How long a release may take to answer healthy. Generous, because on a busy machine a node process can take seconds
    /// to start; tests whose release is meant to stay unhealthy pass <see cref="UnhealthyReleaseTimeout"/> instead.
    /// </summary>
    public static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(30);

    /// <summary>For tests that deploy a release that never becomes healthy: they wait this long for the expected failure.</summary>
    public static readonly TimeSpan UnhealthyReleaseTimeout = TimeSpan.FromSeconds(10);

    public const string Canary = "canary-5ecret-7f3a9c1e";
    static readonly SemaphoreSlim EdgeGate = new(1, 1);
    static readonly string FixtureDirectory = Path.Combine(RepositoryFiles.Root, "tests", "MeshHook.Deployment.Tests", "Deploying", "Fixture");

    readonly TempDirectory _temp;
    int _releases;

    public List<string> Output { get; } = [];
    public required LocalEnvironment Environment { get; init; }
    public required ReleaseStore Store { get; init; }
    public required Uri Url { get; init; }
    public string HealthPath { get; init; } = "/health";
    public string Root => _temp.Path;


    /// <param name="healthPath">health.path (the fixture web answers health there).</param>
    /// <param name="healthTimeout">health.timeoutSeconds (a very long one proves a test does not wait for it).</param>
    public static async Task<LocalDeployment> CreateAsync(CancellationToken cancellationToken, string healthPath = "/health", TimeSpan? healthTimeout = null)
    {
        await BuildTools.EnsureInstalledAsync(cancellationToken);
        var edge = new EdgeBuild(RepositoryFiles.Root, Path.Combine(RepositoryFiles.Root, "artifacts"));
        await EdgeGate.WaitAsync(cancellationToken);
        try
        {
            if (!edge.IsUpToDate())
                await edge.BuildAsync(new ToolRunner(new SecretMasker()), cancellationToken);
        }
        finally
        {
            EdgeGate.Release();
        }

        var temp = new TempDirectory();
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var key = "test-key-" + Guid.NewGuid().ToString("N");
        var attachment = new Attachment(url.ToString(), key, edge.Assembly) { HealthPath = healthPath, HealthTimeout = healthTimeout ?? DefaultHealthTimeout };
        File.WriteAllText(temp.Combine("fixture.json"), System.Text.Json.JsonSerializer.Serialize(attachment));
        var deployment = Open(temp, attachment, owner: true);
        SecretStore.Open(temp.Path, EnvironmentName.Local, deployment._variables, new SecretMasker()).Set("FIXTURE_TOKEN", Canary);
        return deployment;
    }

    sealed record Attachment(string Url, string Key, string EdgeAssembly)
    {
        public string HealthPath { get; init; } = "/health";
        public TimeSpan HealthTimeout { get; init; } = DefaultHealthTimeout;
    }

    /// <summary>The environment another process created in <paramref name="root"/> (the reliability harness's children).</summary>
    public static LocalDeployment Attach(string root)
    {
        var attachment = System.Text.Json.JsonSerializer.Deserialize<Attachment>(File.ReadAllText(Path.Combine(root, "fixture.json")))!;
        return Open(TempDirectory.Existing(root), attachment, owner: false);
    }

    static LocalDeployment Open(TempDirectory temp, Attachment attachment, bool owner)
    {
        var (url, key, edgeAssembly) = (new Uri(attachment.Url), attachment.Key, attachment.EdgeAssembly);
        var json = $$"""
            {
              "target": { "kind": "local" },
              "url": "{{url.GetLeftPart(UriPartial.Authority)}}",
              "health": { "path": "{{attachment.HealthPath}}", "intervalSeconds": 1, "timeoutSeconds": {{(int)attachment.HealthTimeout.TotalSeconds}}, "requestTimeoutSeconds": 2 },
              "configuration": { "MESHHOOK_ENVIRONMENT": "local", "FIXTURE_HEALTH_PATH": "{{attachment.HealthPath}}", "FIXTURE_TOKEN": { "secret": "FIXTURE_TOKEN" } },
              "secrets": { "provider": "file" },
              "database": { "kind": "embedded" },
              "protection": { "requireApproval": false, "allowDirtyReleases": true, "allowedDeployers": [] },
              "notifications": [],
              "retention": { "releases": 3 },
              "local": { "edgePort": {{url.Port}}, "portRange": [{{ReleasePorts.First}}, {{ReleasePorts.Last}}] }
            }
            """;
        var configuration = EnvironmentConfiguration.Parse(json, EnvironmentName.Local, "environment.json");
        var variables = new Dictionary<string, string> { ["MESHHOOK_SECRETS_KEY"] = key, ["HOME"] = temp.Path };
        var deployment = (LocalDeployment?)null;
        var log = new DeploymentLog(x => deployment!.Record(x), x => deployment!.Record("warning: " + x));
        var masker = new SecretMasker();
        var store = SecretStore.Open(temp.Path, EnvironmentName.Local, variables, masker);
        var tools = new ToolRunner(masker, new Sink(x => deployment!.Record(x)));
        var programs = LocalPrograms.InRepository(RepositoryFiles.Root, edgeAssembly);
        var settings = new LocalSettings
        {
            Url = url,
            Health = new Health.HealthOptions(TimeSpan.FromMilliseconds(200), attachment.HealthTimeout, TimeSpan.FromSeconds(2)) { Path = attachment.HealthPath },
            ConfigurationKeys = ["MESHHOOK_ENVIRONMENT", "ORIGIN", "FIXTURE_HEALTH_PATH", "FIXTURE_TOKEN", "PGPASSWORD"],
            SecretKeys = ["FIXTURE_TOKEN", "PGPASSWORD"],
            RetainReleases = 3,
            DrainGrace = TimeSpan.FromSeconds(5),
            EdgeAssembly = edgeAssembly,
            PgliteServer = programs.PgliteServer,
            SupabaseCli = programs.SupabaseCli,
            PortRange = ReleasePorts,
        };
        var releases = new ReleaseStore(temp.Combine("artifacts", "releases"));
        deployment = new LocalDeployment(temp, variables, owner)
        {
            Environment = new LocalEnvironment(LocalLayout.For(temp.Path), settings, releases, tools,
                new DeploymentConfiguration(configuration, store, log), TimeProvider.System, log),
            Store = releases,
            Url = url,
            HealthPath = attachment.HealthPath,
        };
        return deployment;
    }

    readonly Dictionary<string, string> _variables;

    /// <summary>This process created the environment: it stops and deletes it at the end.</summary>
    readonly bool _owner;

    LocalDeployment(TempDirectory temp, Dictionary<string, string> variables, bool owner)
    {
        _temp = temp;
        _variables = variables;
        _owner = owner;
    }

    void Record(string line)
    {
        lock (Output)
            Output.Add(line);
    }

    /// <summary>Packages a fixture release. <paramref name="healthMode"/>: ok, 503, ok-once; <paramref name="migrations"/>: file name → SQL.</summary>
    public ReleaseManifest Release(string healthMode = "ok", IReadOnlyDictionary<string, string>? migrations = null, Action<string>? tamperWeb = null)
    {
        var number = Interlocked.Increment(ref _releases);
        var source = _temp.Combine("sources", number.ToString());
        _temp.Write($"sources/{number}/web/package.json", """{ "type": "module" }""");
        _temp.Write($"sources/{number}/web/health-mode.txt", healthMode);
        File.Copy(Path.Combine(FixtureDirectory, "web-index.js"), Path.Combine(Directory.CreateDirectory(Path.Combine(source, "web", "build")).FullName, "index.js"));
        _temp.Write($"sources/{number}/workers/package.json", """{ "type": "module" }""");
        File.Copy(Path.Combine(FixtureDirectory, "worker.mjs"), Path.Combine(source, "workers", "worker.mjs"));
        _temp.Write($"sources/{number}/migrations/supabase/config.toml", "project_id = \"fixture\"\n");
        migrations ??= new Dictionary<string, string> { ["20260101000000_fixture.sql"] = "create table if not exists fixture_runs (id serial primary key);" };
        foreach (var (name, sql) in migrations)
            _temp.Write($"sources/{number}/migrations/supabase/migrations/{name}", sql);
        tamperWeb?.Invoke(Path.Combine(source, "web"));

        var commit = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return new ReleasePackager(Store, TimeProvider.System).Package(new SourceRevision(commit, $"1.0.{number}", false), "tester@test",
        [
            new ReleaseContent("web", Path.Combine(source, "web")),
            new ReleaseContent("workers", Path.Combine(source, "workers")),
            new ReleaseContent("migrations", Path.Combine(source, "migrations")),
        ], migrations.Keys.Order().ToList());
    }

    public static DeployOptions Options(bool force = false) => new() { Actor = "tester@test", Force = force };

    /// <summary>GET /health through the stable URL: (status code, version) or (0, error).</summary>
    public async Task<(int Status, string? Version)> StableHealthAsync(CancellationToken cancellationToken)
    {
        // A hang bound, not a latency budget: on a busy machine one answer may take seconds, and that is not a failed request.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.GetAsync(new Uri(Url, HealthPath), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return ((int)response.StatusCode, json.RootElement.GetProperty("version").GetString());
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return (0, exception.Message);
        }
    }

    /// <summary>Every file under the environment's state and the release store, except the 0600 env file and the encrypted store.</summary>
    public IEnumerable<string> FilesOtherThanTheEnvFile() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(x => x != Environment.Layout.EnvironmentFile && !x.EndsWith("secrets.json", StringComparison.Ordinal) && !x.Contains("node_modules"))
            .Where(x => new FileInfo(x).LinkTarget is null && new FileInfo(x).Length < 50_000_000);

    /// <summary>
    /// Release processes listen here: below the system's ephemeral ports (32768 and up on Linux), so the edge's port,
    /// which the system picks, is never inside the range.
    /// </summary>
    static readonly (int First, int Last) ReleasePorts = (21000, 21999);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_owner)
                await Environment.StopAsync(CancellationToken.None);
        }
        finally
        {
            _temp.Dispose();
        }
    }

    sealed class Sink(Action<string> write) : IToolOutputSink
    {
        public void Write(ToolCommand command, OutputLine line) => write(line.Text);
    }
}
