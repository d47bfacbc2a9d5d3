using System.Text.RegularExpressions;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>One thing the schema check found: the file (relative to the checked folder), its line (0: the file), what is wrong.</summary>
public sealed record SchemaFinding(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>
/// Checks a Terraform configuration against the exact provider schemas without provider binaries or terraform init:
/// runs tools/terraform-schema-check.mjs (the schemas of the pinned @cdktf/provider-* packages in tools/), which needs
/// <c>npm ci --prefix tools</c> first. Resource and data types, arguments, blocks, required arguments, attribute
/// references, module calls, tfvars and the exact provider pins in required_providers.
/// </summary>
public sealed partial class TerraformSchemaCheck(ToolRunner tools, string repositoryRoot)
{
    public async Task<IReadOnlyList<SchemaFinding>> RunAsync(string infraDirectory, CancellationToken cancellationToken)
    {
        var command = new ToolCommand("node", [
            Path.Combine(repositoryRoot, "tools", "terraform-schema-check.mjs"), infraDirectory,
            .. TerraformCommands.CommandLineVariables.SelectMany(x => new[] { "--command-line-variable", x }),
        ])
        {
            WorkingDirectory = repositoryRoot,
            Timeout = TimeSpan.FromMinutes(2),
            LogOutput = false,
            ThrowOnFailure = false,
            InstallHint = "Node.js 20 and the build's npm tools are needed: npm ci --prefix tools",
        };
        var result = await tools.RunAsync(command, cancellationToken);
        var findings = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => FindingPattern().Match(x))
            .Where(x => x.Success)
            .Select(x => new SchemaFinding(x.Groups[1].Value, int.Parse(x.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), x.Groups[3].Value))
            .ToList();
        // A failure without findings is the checker itself failing (missing packages, bad folder): never a pass.
        if (!result.Succeeded && findings.Count == 0)
            throw new InfrastructureException($"The Terraform schema check of {infraDirectory} failed (exit {result.ExitCode}):\n{result.StandardError.Trim()}");
        return findings;
    }

    [GeneratedRegex(@"^(.+?):(\d+): (.+)$")]
    private static partial Regex FindingPattern();
}
