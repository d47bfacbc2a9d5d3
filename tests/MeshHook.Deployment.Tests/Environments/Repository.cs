namespace MeshHook.Deployment.Tests.Environments;

/// <summary>The repository the tests run in (read only): infra/environments and its schema.</summary>
internal static class Repository
{
    static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MeshHook.sln")) && Directory.Exists(Path.Combine(directory.FullName, "infra", "environments")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No repository root (MeshHook.sln beside infra/environments) above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootPath.Value;

    public static string Environments => Path.Combine(Root, "infra", "environments");

    public static string SchemaFile => Path.Combine(Environments, "environment.schema.json");

    public static IReadOnlyList<string> EnvironmentFiles =>
        Directory.GetDirectories(Environments).Select(x => Path.Combine(x, "environment.json")).Where(File.Exists).Order(StringComparer.Ordinal).ToList();
}
