namespace MeshHook.Deployment.Building;

/// <summary>Where MeshHook's parts live in the repository and how each is built into artifacts/build/.</summary>
public sealed class MeshHookSources(string root, string artifactsDirectory)
{
    public string Root => root;

    public string BuildOutput => Path.Combine(artifactsDirectory, "build");

    /// <summary>SvelteKit app: <c>npm ci</c>, <c>vite build</c>, then build/ with production dependencies.</summary>
    public NodeApplication Web { get; } = new()
    {
        Name = "web",
        Directory = Path.Combine(root, "src", "web"),
        BuildScripts = ["build"],
        OutputEntries = ["build", "package.json", "package-lock.json"],
        OutputDirectory = Path.Combine(artifactsDirectory, "build", "web"),
    };

    /// <summary>Worker processes: <c>npm ci</c>, syntax checks, then the sources with production dependencies.</summary>
    public NodeApplication Workers { get; } = new()
    {
        Name = "workers",
        Directory = Path.Combine(root, "src", "workers"),
        BuildScripts = ["check"],
        OutputEntries = ["worker.mjs", "lib", "package.json", "package-lock.json"],
        OutputDirectory = Path.Combine(artifactsDirectory, "build", "workers"),
    };

    /// <summary>Cross-cutting application tests (not deployed).</summary>
    public NodeApplication AppTests { get; } = new()
    {
        Name = "app-tests",
        Directory = Path.Combine(root, "tests", "app"),
    };

    public IReadOnlyList<NodeApplication> TestSuites => [Web, Workers, AppTests];

    /// <summary>Ties the processes of a test run to the build (see <see cref="Building.TestRunTie"/>).</summary>
    public TestRunTie TestRunTie => new(Path.Combine(Root, "src", "workers", "testing", "test-run-owner.mjs"));

    /// <summary>npm tools of the build itself (hcl2json, the Supabase CLI, pglite-server).</summary>
    public NodeApplication BuildTools { get; } = new()
    {
        Name = "tools",
        Directory = Path.Combine(root, "tools"),
    };

    /// <summary>The Supabase CLI folder (config.toml, migrations/).</summary>
    public string Supabase => Path.Combine(root, "src", "supabase");

    public IReadOnlyList<string> Migrations() =>
        Directory.Exists(Path.Combine(Supabase, "migrations"))
            ? Directory.GetFiles(Path.Combine(Supabase, "migrations"), "*.sql").Select(x => Path.GetFileName(x)).Order(StringComparer.Ordinal).ToList()
            : [];
}
