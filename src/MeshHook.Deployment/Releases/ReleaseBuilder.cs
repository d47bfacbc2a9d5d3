using MeshHook.Deployment.Building;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Releases;

/// <summary>Packages the built web app, workers and migrations of a source tree into a release.</summary>
public static class ReleaseBuilder
{
    public static async Task<ReleaseManifest> PackageAsync(ToolRunner tools, MeshHookSources sources, ReleaseStore store, TimeProvider time,
        string builder, CancellationToken cancellationToken)
    {
        var revision = await SourceRevision.ReadAsync(tools, sources.Root, cancellationToken);
        return new ReleasePackager(store, time).Package(revision, builder, Contents(sources), sources.Migrations());
    }

    /// <summary>The built folders a release is made of (web, workers, migrations), assembled under artifacts/build/.</summary>
    public static IReadOnlyList<ReleaseContent> Contents(MeshHookSources sources)
    {
        var migrations = Path.Combine(sources.BuildOutput, "migrations");
        CopySupabaseFolder(sources.Supabase, Path.Combine(migrations, "supabase"));
        return
        [
            new ReleaseContent("web", sources.Web.OutputDirectory!),
            new ReleaseContent("workers", sources.Workers.OutputDirectory!),
            new ReleaseContent("migrations", migrations),
        ];
    }

    static void CopySupabaseFolder(string source, string destination)
    {
        if (Directory.Exists(destination))
            Directory.Delete(destination, recursive: true);
        var config = Path.Combine(source, "config.toml");
        var migrations = Path.Combine(source, "migrations");
        if (!File.Exists(config) || !Directory.Exists(migrations))
            throw new ReleaseException($"{source} must hold config.toml and migrations/ (the Supabase CLI layout).");
        Directory.CreateDirectory(Path.Combine(destination, "migrations"));
        File.Copy(config, Path.Combine(destination, "config.toml"));
        foreach (var file in Directory.GetFiles(migrations, "*.sql"))
            File.Copy(file, Path.Combine(destination, "migrations", Path.GetFileName(file)));
    }
}
