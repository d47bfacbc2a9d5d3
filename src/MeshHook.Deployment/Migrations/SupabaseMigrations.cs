using MeshHook.Tooling;

namespace MeshHook.Deployment.Migrations;

/// <summary>
/// Forward-only migrations with the Supabase CLI (<c>supabase db push</c>): each file runs in one transaction with its
/// row in supabase_migrations.schema_migrations; a failure stops the deploy before any switch.
/// </summary>
public static class SupabaseMigrations
{
    public static ToolCommand Push(string supabaseCli, string workdir, string databaseUrl) =>
        new ToolCommand("node", [supabaseCli, "db", "push", "--db-url", databaseUrl, "--yes", "--workdir", workdir])
        {
            Timeout = TimeSpan.FromMinutes(5),
            Environment = new Dictionary<string, string?> { ["DO_NOT_TRACK"] = "1", ["SUPABASE_TELEMETRY_DISABLED"] = "1" },
        };
}
