using MeshHook.Deployment.Building;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests;

/// <summary>The repository's npm tools (tools/: hcl2json, pglite-server, the Supabase CLI), installed once per test run.</summary>
internal static class BuildTools
{
    static readonly SemaphoreSlim Gate = new(1, 1);

    public static NodeApplication Package { get; } = new MeshHookSources(RepositoryFiles.Root, Path.Combine(RepositoryFiles.Root, "artifacts")).BuildTools;

    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await Package.InstallAsync(new ToolRunner(new SecretMasker()), cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }
}
