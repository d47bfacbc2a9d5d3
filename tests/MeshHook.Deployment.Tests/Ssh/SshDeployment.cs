using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Building;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// An ssh environment of N real sshd "hosts" on 127.0.0.2.. (see <see cref="SshHosts"/>), each with its deploy root, the
/// real edge and detached node processes started over SSH; releases made from the deployment tests' fixture apps.
/// </summary>
public sealed class SshDeployment : IAsyncDisposable
{
    public const string Canary = "ssh-canary-9d1f3b";
    static readonly SemaphoreSlim EdgeGate = new(1, 1);
    static readonly string FixtureDirectory = Path.Combine(RepositoryFiles.Root, "tests", "MeshHook.Deployment.Tests", "Deploying", "Fixture");

    readonly TempDirectory _temp = new();
    int _releases;

    public required SshHosts Hosts { get; init; }
    public ReleaseStore Store { get; private set; } = null!;
    public SshSettings Settings { get; set; } = null!;
    public List<string> Output { get; } = [];
    public List<IDeploymentObserver> Observers { get; } = [];

    /// <summary>The DATABASE_URL the configuration gives (migrations run against it from this machine); none by default.</summary>
    public string? DatabaseUrl { get; set; }
    readonly List<SshTarget> _targets = [];

    public static async Task<SshDeployment> CreateAsync(int hosts, int bootLimit, CancellationToken cancellationToken)
    {
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
        var servers = await SshHosts.StartAsync(hosts, cancellationToken);
        var edgePort = FreePortOnAll(servers.Servers.Select(x => x.Host.Address));
        // Every "host" shares this machine: each gets its own deploy path (a host's deployPath), under its sshd's folder.
        var options = new SshTargetOptions
        {
            Hosts = servers.Servers.Select(x => x.Host with { DeployPath = x.DeployPath }).ToList(),
            DeployPath = "/unused",
            Key = new SecretReference("SSH_PRIVATE_KEY"),
            HostKeys = servers.Servers.ToDictionary(x => x.Host with { DeployPath = x.DeployPath }, x => (IReadOnlyList<string>)[x.Fingerprint]),
            BootLimit = bootLimit,
            EdgePort = edgePort,
            // Every "host" of every test is this machine: each fixture takes its release ports from a slice of its own,
            // clear of the local fixture's range (21000-21999) and the product's default, as real hosts need no slice.
            // Within the fixture its hosts share one loopback interface, which the target sees (SshHostState.Assign).
            ReleasePorts = ReleasePortSlice(),
        };
        var deployment = new SshDeployment { Hosts = servers };
        deployment.Store = new ReleaseStore(deployment._temp.Combine("releases"));
        deployment.Settings = new SshSettings
        {
            Options = options,
            Environment = "staging",
            HealthPath = "/health",
            Url = new Uri($"http://{options.Hosts[0].Address}:{options.EdgePort}"),
            ConfigurationKeys = ["MESHHOOK_ENVIRONMENT", "FIXTURE_TOKEN"],
            SecretKeys = ["FIXTURE_TOKEN"],
            EdgeAssembly = new EdgeBuild(RepositoryFiles.Root, Path.Combine(RepositoryFiles.Root, "artifacts")).Assembly,
            SupabaseCli = "unused: the fixture releases have no migrations",
            LocalMigrations = deployment._temp.Combine("migrations"),
            DrainGrace = TimeSpan.FromSeconds(5),
        };
        return deployment;
    }

    /// <param name="state">Where the lock and journal live (default: on the first host).</param>
    public SshTarget Target(TimeSpan? healthTimeout = null, Func<SshConnections, SshDeploymentState>? state = null)
    {
        var masker = new SecretMasker();
        var target = new SshTarget(Settings, () => Hosts.ClientKey, Store, new FixtureConfiguration(DatabaseUrl), new ToolRunner(masker),
            new Health.HealthOptions(TimeSpan.FromMilliseconds(200), healthTimeout ?? TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)),
            TimeProvider.System, new DeploymentLog(Write, x => Write("warning: " + x)), Observers, state);
        _targets.Add(target);
        return target;
    }

    void Write(string line)
    {
        lock (Output)
            Output.Add(line);
    }

    static int _slices = -1;

    /// <summary>
    /// A 100-port slice of 23000-29999 for one fixture's release processes, the next of 70 in turn: fixtures running at
    /// the same time never share one (a test run has far fewer than 70 ssh fixtures).
    /// </summary>
    static PortRange ReleasePortSlice()
    {
        var first = 23000 + (int)((uint)Interlocked.Increment(ref _slices) % 70) * 100;
        return new PortRange(first, first + 99);
    }

    public Uri EdgeUrl(int host) => Settings.EdgeUrl(Settings.Options.Hosts[host]);

    /// <summary>Packages a fixture release (web and worker speaking the /health contract; no migrations).</summary>
    public ReleaseManifest Release(string healthMode = "ok", IReadOnlyDictionary<string, string>? migrations = null)
    {
        var number = Interlocked.Increment(ref _releases);
        var source = _temp.Combine("sources", number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _temp.Write($"sources/{number}/web/package.json", """{ "type": "module" }""");
        _temp.Write($"sources/{number}/web/health-mode.txt", healthMode);
        File.Copy(Path.Combine(FixtureDirectory, "web-index.js"), Path.Combine(Directory.CreateDirectory(Path.Combine(source, "web", "build")).FullName, "index.js"));
        _temp.Write($"sources/{number}/workers/package.json", """{ "type": "module" }""");
        File.Copy(Path.Combine(FixtureDirectory, "worker.mjs"), Path.Combine(source, "workers", "worker.mjs"));
        var contents = new List<ReleaseContent>
        {
            new("web", Path.Combine(source, "web")),
            new("workers", Path.Combine(source, "workers")),
        };
        if (migrations is not null)
        {
            // The Supabase CLI's folder, as Package lays it out in the migrations artifact.
            _temp.Write($"sources/{number}/migrations/supabase/config.toml", "project_id = \"ssh-migrations\"\n");
            foreach (var (name, sql) in migrations)
                _temp.Write($"sources/{number}/migrations/supabase/migrations/{name}", sql);
            contents.Add(new ReleaseContent("migrations", Path.Combine(source, "migrations")));
        }
        var commit = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return new ReleasePackager(Store, TimeProvider.System).Package(new SourceRevision(commit, $"1.0.{number}", false), "tester@test", contents,
            migrations?.Keys.Order(StringComparer.Ordinal).ToList() ?? []);
    }

    public static DeployOptions Options(bool force = false) => new() { Actor = "tester@test", Force = force };

    /// <summary>What the edge of <paramref name="host"/> serves: the version of its /health, or null when it does not answer healthy.</summary>
    public async Task<string?> ServedAsync(int host, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var body = await http.GetStringAsync(new Uri(EdgeUrl(host), "/health"), cancellationToken);
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.GetProperty("status").GetString() == "ok" ? document.RootElement.GetProperty("version").GetString() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The deploy root of one host.</summary>
    public string Root(int host) => Hosts.Servers[host].DeployPath;

    static int FreePortOnAll(IEnumerable<string> addresses)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            first.Stop();
            var listeners = new List<TcpListener>();
            try
            {
                foreach (var address in addresses)
                {
                    var listener = new TcpListener(IPAddress.Parse(address), port);
                    listener.Start();
                    listeners.Add(listener);
                }
                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                foreach (var listener in listeners)
                    listener.Stop();
            }
        }
        throw new InvalidOperationException("No port is free on every host address.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var target in _targets)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await target.StopAsync(bound.Token);
            }
            catch (Exception exception) when (exception is UserFacingException or OperationCanceledException)
            {
            }
            await target.DisposeAsync();
            break; // one target stops every host's processes
        }
        await Hosts.DisposeAsync();
        _temp.Dispose();
    }

    sealed class FixtureConfiguration(string? databaseUrl) : IDeploymentConfiguration
    {
        public IReadOnlyList<string> Keys => ["MESHHOOK_ENVIRONMENT", "FIXTURE_TOKEN"];
        public IReadOnlyList<string> SecretKeys => ["FIXTURE_TOKEN"];

        public Task WriteEnvironmentFileAsync(string path, CancellationToken cancellationToken)
        {
            File.WriteAllText(path, $"MESHHOOK_ENVIRONMENT=staging\nFIXTURE_TOKEN={Canary}\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return Task.CompletedTask;
        }

        public string? Value(string key) => key switch
        {
            "FIXTURE_TOKEN" => Canary,
            "DATABASE_URL" => databaseUrl,
            _ => null,
        };
    }
}
