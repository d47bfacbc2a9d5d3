using System.Text.RegularExpressions;
using MeshHook.Deployment.Infrastructure;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// infra/ against the real provider schemas (azurerm 4.55.0, azuread 3.7.0, github 6.9.0, from the pinned
/// @cdktf/provider-* packages' .jsii files): what terraform validate would say about names, without provider binaries.
/// </summary>
public sealed class TerraformSchemaTests
{
    static async Task<IReadOnlyList<SchemaFinding>> CheckAsync(string directory)
    {
        await BuildTools.EnsureInstalledAsync(TestContext.Current.CancellationToken);
        return await new TerraformSchemaCheck(new ToolRunner(new SecretMasker()), RepositoryFiles.Root)
            .RunAsync(directory, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Infra_matches_the_provider_schemas()
    {
        var findings = await CheckAsync(RepositoryFiles.Infra);
        Assert.True(findings.Count == 0, "infra/ does not match the provider schemas:\n" + string.Join("\n", findings));
    }

    /// <summary>A fault put into a copy of infra/: the file, the text replaced, its replacement, and what the finding says.</summary>
    public sealed record Fault(string File, string Find, string Replace, string Expected, string LineOf);

    static readonly Fault[] Faults =
    [
        // A misspelled argument.
        new("modules/container_registry/main.tf", "  admin_enabled       = false", "  admin_enable        = false",
            "\"admin_enable\" is not an argument of azurerm_container_registry", "admin_enable "),
        // A missing required argument.
        new("modules/key_vault/main.tf", "  tenant_id                  = var.tenant_id\n", "",
            "azurerm_key_vault \"this\": the required argument \"tenant_id\" is missing", "resource \"azurerm_key_vault\""),
        // A block written as an argument.
        new("modules/container_app/main.tf", "  registry {\n", "  registry = {\n",
            "\"registry\" is a block: write registry { ... }", "registry = {"),
        // A wrong attribute reference, and a wrong attribute of a nested block.
        new("modules/container_registry/outputs.tf", "azurerm_container_registry.this.login_server", "azurerm_container_registry.this.login_url",
            "azurerm_container_registry has no attribute \"login_url\"", "login_url"),
        new("modules/container_app/outputs.tf", "value       = var.ingress == null ? null : azurerm_container_app.this.ingress[0].fqdn",
            "value       = var.ingress == null ? null : azurerm_container_app.this.ingress[0].host_name",
            "block \"ingress\" of azurerm_container_app has no attribute \"host_name\"", "ingress[0].host_name"),
        // A misspelled argument inside a nested (dynamic) block.
        new("modules/container_app/main.tf", "          interval_seconds        = 10\n", "          interval_secs           = 10\n",
            "azurerm_container_app liveness_probe: \"interval_secs\" is not an argument", "interval_secs"),
        // An argument written as a block.
        new("modules/deployment_state/main.tf", "  min_tls_version                 = \"TLS1_2\"\n", "  min_tls_version {\n  }\n",
            "\"min_tls_version\" is an argument: write min_tls_version = ...", "min_tls_version {"),
        // A resource type that does not exist.
        new("modules/key_vault/main.tf", "resource \"azurerm_management_lock\" \"this\"", "resource \"azurerm_resource_lock\" \"this\"",
            "has no resource type \"azurerm_resource_lock\"", "azurerm_resource_lock"),
        // A module call passing an undeclared variable, and one missing a required variable.
        new("main.tf", "  sku                 = var.registry_sku\n", "  sku                 = var.registry_sku\n  replication         = \"none\"\n",
            "module \"registry\" passes \"replication\", which modules/container_registry/ does not declare", "replication "),
        new("main.tf", "  name                = local.names.pull_identity\n", "",
            "module \"pull_identity\" does not pass the required variable \"name\"", "module \"pull_identity\""),
        // tfvars setting an undeclared variable.
        new("environments/dev/terraform.tfvars", "log_retention_days = 30", "log_retention_days = 30\nlog_retention     = 30",
            "sets \"log_retention\", which the root module does not declare", "log_retention "),
        // A provider pin that is not the version checked.
        new("versions.tf", "version = \"= 4.55.0\"", "version = \"~> 4.42\"",
            "version \"~> 4.42\" must be exactly \"= 4.55.0\"", "azurerm = {"),
    ];

    [Fact]
    public async Task Faults_injected_into_a_copy_of_infra_are_each_reported_with_file_and_line()
    {
        var copy = Directory.CreateTempSubdirectory("meshhook-schema-").FullName;
        try
        {
            TerraformSandbox.CopyDirectory(RepositoryFiles.Infra, copy);
            var expected = new List<SchemaFinding>();
            foreach (var fault in Faults)
            {
                var path = Path.Combine(copy, fault.File);
                var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
                Assert.True(text.Contains(fault.Find, StringComparison.Ordinal), $"{fault.File} no longer contains the text the fault replaces: {fault.Find}");
                text = ReplaceFirst(text, fault.Find, fault.Replace);
                await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
                expected.Add(new SchemaFinding(fault.File, LineOf(text, fault.LineOf), fault.Expected));
            }

            var findings = await CheckAsync(copy);

            var missing = expected.Where(e => !findings.Any(f => f.File == e.File && f.Line == e.Line && f.Message.Contains(e.Message, StringComparison.Ordinal))).ToList();
            Assert.True(missing.Count == 0,
                $"not reported (file:line: message):\n{string.Join("\n", missing)}\nreported:\n{string.Join("\n", findings)}");
            // Nothing else: every finding is one of the injected faults.
            var unexpected = findings.Where(f => !expected.Any(e => f.File == e.File && f.Message.Contains(e.Message, StringComparison.Ordinal))).ToList();
            Assert.True(unexpected.Count == 0, $"reported without an injected fault:\n{string.Join("\n", unexpected)}");
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task A_checker_that_cannot_run_fails_instead_of_passing()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"meshhook-no-infra-{Guid.NewGuid():N}");
        await Assert.ThrowsAsync<InfrastructureException>(() => CheckAsync(missing));
    }

    [Fact]
    public void Every_root_pins_its_providers_to_the_checked_versions()
    {
        // The schema check reports loose pins too; this names the roots, so a new root without exact pins is seen here.
        var roots = new[] { "versions.tf", "github/versions.tf", "bootstrap/versions.tf" };
        foreach (var root in roots)
        {
            var text = File.ReadAllText(Path.Combine(RepositoryFiles.Infra, root));
            foreach (var (provider, version) in new[] { ("hashicorp/azurerm", "4.55.0"), ("hashicorp/azuread", "3.7.0"), ("integrations/github", "6.9.0") })
            {
                if (text.Contains($"\"{provider}\"", StringComparison.Ordinal))
                    Assert.Matches($"source\\s*=\\s*\"{provider}\"\\s*\\n\\s*version\\s*=\\s*\"= {Regex.Escape(version)}\"", text);
            }
        }
    }

    static string ReplaceFirst(string text, string find, string replace)
    {
        var index = text.IndexOf(find, StringComparison.Ordinal);
        return text[..index] + replace + text[(index + find.Length)..];
    }

    static int LineOf(string text, string marker)
    {
        var index = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"marker not found: {marker}");
        return text[..index].Count(x => x == '\n') + 1;
    }
}
