namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>Files of the repository the tests read in place (never write): infra/, tools/, fixtures, the stand-in.</summary>
internal static class RepositoryFiles
{
    static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string Tools => Path.Combine(Root, "tools");

    public static string TestsFolder => Path.Combine(Root, "tests", "MeshHook.Deployment.Tests", "Infrastructure");

    public static string PlanFixture(string name) => Path.Combine(TestsFolder, "Fixtures", "plans", name);

    public static string StandIn => Path.Combine(TestsFolder, "standin", "terraform");

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MeshHook.sln")) && Directory.Exists(Path.Combine(directory.FullName, "infra")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No repository root (MeshHook.sln beside infra/) above {AppContext.BaseDirectory}.");
    }
}
