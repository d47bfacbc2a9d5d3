namespace MeshHook.Deployment;

/// <summary>Where the programs the local target runs are found in the repository.</summary>
public sealed record LocalPrograms(string EdgeAssembly, string PgliteServer, string SupabaseCli)
{
    public static LocalPrograms InRepository(string root, string edgeAssembly) => new(edgeAssembly,
        Path.Combine(root, "tools", "node_modules", "@electric-sql", "pglite-socket", "dist", "scripts", "server.js"),
        Path.Combine(root, "tools", "node_modules", "supabase", "dist", "supabase.js"));
}
