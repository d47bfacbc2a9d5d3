namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>What a Container Apps plan is made from: the names in environment.json's target and where migrations are unpacked.</summary>
public sealed record ContainerAppsSettings
{
    /// <summary>dev, staging, production: the plan's and journal's environment name.</summary>
    public required string Environment { get; init; }

    public required string WebApp { get; init; }

    public required string WorkerApp { get; init; }

    /// <summary>The registry's login server; the release's images are <c>{registry}/meshhook-web:{id}</c> and <c>{registry}/meshhook-workers:{id}</c>.</summary>
    public required string Registry { get; init; }

    /// <summary>The environment URL (custom domain) users reach: verified after the switch.</summary>
    public required Uri Url { get; init; }

    /// <summary>The web's health path (environment.json health.path).</summary>
    public string HealthPath { get; init; } = "/health";

    /// <summary>How long a new revision may take to be provisioned and running (health.timeoutSeconds).</summary>
    public required TimeSpan RevisionTimeout { get; init; }

    /// <summary>The Supabase CLI (tools/node_modules/supabase) the migrations run with.</summary>
    public required string SupabaseCli { get; init; }

    /// <summary>Where a release's migrations are unpacked before they run (under .deploy/&lt;environment&gt;/migrations).</summary>
    public required string MigrationsDirectory { get; init; }

    /// <summary>Whether the environment has a database to migrate (database.url set).</summary>
    public bool HasDatabase { get; init; } = true;

    public string WebImage(string releaseId) => $"{Registry}/meshhook-web:{releaseId}";

    public string WorkersImage(string releaseId) => $"{Registry}/meshhook-workers:{releaseId}";

    public Uri HealthUrl => new(Url, HealthPath);
}
