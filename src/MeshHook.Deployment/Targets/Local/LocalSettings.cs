using MeshHook.Deployment.Health;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>What the local target needs from the environment's configuration, plus the programs it starts.</summary>
public sealed record LocalSettings
{
    /// <summary>The stable URL the edge serves, e.g. http://127.0.0.1:8480.</summary>
    public required Uri Url { get; init; }

    public required HealthOptions Health { get; init; }

    /// <summary>The keys written to the env file (values resolved at deploy time; only names appear in plans).</summary>
    public required IReadOnlyList<string> ConfigurationKeys { get; init; }

    /// <summary>The env file's keys whose values are secrets: the launcher masks their values in the release processes' logs.</summary>
    public IReadOnlyList<string> SecretKeys { get; init; } = [];

    /// <summary>An external DATABASE_URL is configured; null starts the embedded PGlite database.</summary>
    public bool ExternalDatabase { get; init; }

    public int RetainReleases { get; init; } = 5;

    /// <summary>How long a stopped release gets to finish in-flight requests and runs.</summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The built edge program (MeshHook.Edge.dll in its build folder); installed into the state folder to run.</summary>
    public required string EdgeAssembly { get; init; }

    /// <summary>pglite-server's script (from @electric-sql/pglite-socket in tools/node_modules).</summary>
    public required string PgliteServer { get; init; }

    /// <summary>The Supabase CLI's script (npm package supabase in tools/node_modules).</summary>
    public required string SupabaseCli { get; init; }

    public int EdgePort => Url.Port;

    /// <summary>The web app's health endpoint behind the stable URL (health.path).</summary>
    public Uri StableHealthUrl => new(Url, Health.Path);

    /// <summary>A release's web process's health endpoint (health.path) on its own port.</summary>
    public Uri WebHealthUrl(int port) => new($"http://127.0.0.1:{port}{Health.Path}");

    /// <summary>Ports release processes and the embedded database listen on (local.portRange); null lets the system choose.</summary>
    public (int First, int Last)? PortRange { get; init; }
}
