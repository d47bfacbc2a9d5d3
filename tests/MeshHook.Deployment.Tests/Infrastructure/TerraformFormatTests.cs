using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// terraform fmt -check -recursive over infra/ when a terraform binary is on PATH (it needs no provider). Without one
/// the test passes with a warning saying fmt was not checked; with one, it also proves on a badly formatted copy that
/// the check fails, so it is never a check that cannot fail.
/// </summary>
public sealed class TerraformFormatTests
{
    static async Task<ToolResult> FormatCheckAsync(string directory) =>
        await new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand("terraform", "fmt", "-check", "-recursive", "-list=true", directory)
        {
            Timeout = TimeSpan.FromMinutes(1),
            LogOutput = false,
            ThrowOnFailure = false,
            // No CLI configuration file is needed for fmt; this keeps terraform's warning about a missing one quiet.
            Environment = new Dictionary<string, string?> { ["TF_CLI_CONFIG_FILE"] = "/dev/null" },
        }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Infra_is_formatted_as_terraform_fmt_writes_it()
    {
        if (ExecutableLocator.Find("terraform") is null)
        {
            TestContext.Current.AddWarning("terraform is not on PATH: terraform fmt -check was NOT run (install terraform to check formatting).");
            return;
        }

        var result = await FormatCheckAsync(RepositoryFiles.Infra);
        Assert.True(result.Succeeded, $"terraform fmt -check -recursive infra failed; run `terraform fmt -recursive infra`. Files:\n{result.StandardOutput}{result.StandardError}");

        var copy = Directory.CreateTempSubdirectory("meshhook-fmt-").FullName;
        try
        {
            TerraformSandbox.CopyDirectory(RepositoryFiles.Infra, copy);
            var file = Path.Combine(copy, "modules", "key_vault", "main.tf");
            var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(file, text.Replace("  sku_name                   = \"standard\"", "  sku_name = \"standard\"", StringComparison.Ordinal),
                TestContext.Current.CancellationToken);
            var broken = await FormatCheckAsync(copy);
            Assert.False(broken.Succeeded, "terraform fmt -check passed a misaligned file");
            Assert.Contains("key_vault", broken.StandardOutput);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
