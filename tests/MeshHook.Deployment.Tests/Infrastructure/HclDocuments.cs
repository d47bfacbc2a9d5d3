using System.Text.Json.Nodes;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// Every .tf, .tfvars and .hcl file of infra/ parsed by @cdktf/hcl2json (tools/hcl2json.mjs), keyed by the path
/// relative to infra/ ("modules/key_vault/main.tf"). Installs the npm tools first when tools/node_modules is missing.
/// </summary>
internal static class HclDocuments
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static IReadOnlyDictionary<string, JsonObject>? _infra;

    public static async Task<IReadOnlyDictionary<string, JsonObject>> InfraAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return _infra ??= await ParseAsync(RepositoryFiles.Infra, cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<IReadOnlyDictionary<string, JsonObject>> ParseAsync(string directory, CancellationToken cancellationToken)
    {
        var tools = new ToolRunner(new SecretMasker());
        await BuildTools.EnsureInstalledAsync(cancellationToken);

        var result = await tools.RunAsync(new ToolCommand("node", Path.Combine(RepositoryFiles.Tools, "hcl2json.mjs"), directory)
        {
            WorkingDirectory = RepositoryFiles.Root,
            Timeout = TimeSpan.FromMinutes(2),
            LogOutput = false,
            ThrowOnFailure = false,
            InstallHint = "Node.js 20 is needed to parse the Terraform files.",
        }, cancellationToken);
        Assert.True(result.Succeeded, $"Terraform files under {directory} do not parse:\n{result.StandardError}");

        var parsed = JsonNode.Parse(result.StandardOutput)!.AsObject();
        return parsed.ToDictionary(x => x.Key, x => x.Value!.AsObject());
    }
}
