using MeshHook.Tooling;

namespace MeshHook.Deployment.Migrations;

/// <summary>
/// Forward-only migrations with the Supabase CLI (<c>supabase db push</c>): each file runs in one transaction with its
/// row in supabase_migrations.schema_migrations; a failure stops the deploy before any switch.
/// The database password never goes on the command line (any local user can read <c>/proc/&lt;pid&gt;/cmdline</c>): the
/// CLI gets the URL without it and the password in its own environment as PGPASSWORD (readable only by its user).
/// </summary>
public static class SupabaseMigrations
{
    /// <param name="password">Used when <paramref name="databaseUrl"/> has none (the embedded database's PGPASSWORD).</param>
    public static ToolCommand Push(string supabaseCli, string workdir, string databaseUrl, string? password = null)
    {
        var (url, inUrl) = DatabaseUrl.SplitPassword(databaseUrl);
        password = inUrl ?? password;
        var environment = new Dictionary<string, string?> { ["DO_NOT_TRACK"] = "1", ["SUPABASE_TELEMETRY_DISABLED"] = "1" };
        if (password is not null)
            environment["PGPASSWORD"] = password;
        return new ToolCommand("node", [supabaseCli, "db", "push", "--db-url", url, "--yes", "--workdir", workdir])
        {
            Timeout = TimeSpan.FromMinutes(5),
            Environment = environment,
        };
    }
}
