using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// What a first real apply (and every later one) needs, from the review of issue 10: valid GitHub branch policies in
/// a separate administrator's root, no provider registration by the deploy identity, a staged bootstrap, a narrow
/// deploy role, protected state, audit logs, probes, fields deploys own left alone, and custom domains that match
/// environment.json.
/// </summary>
public sealed class TerraformFirstApplyTests
{
    static readonly string[] EnvironmentNames = ["dev", "staging", "production"];

    public static TheoryData<string> Environments => new(EnvironmentNames);

    static Task<IReadOnlyDictionary<string, JsonObject>> Documents() => HclDocuments.InfraAsync(TestContext.Current.CancellationToken);

    static TerraformModuleView Module(IReadOnlyDictionary<string, JsonObject> documents, string directory) => TerraformModuleView.Of(documents, directory);

    static JsonObject Single(JsonNode? blocks) => blocks!.AsArray()[0]!.AsObject();

    [Fact]
    public async Task A_branch_policy_block_is_sent_only_when_it_restricts_and_then_with_exactly_one_option_true()
    {
        var documents = await Documents();
        var environment = Module(documents, "modules/github_environment/").Resources("github_repository_environment")["this"];
        Assert.False(environment.ContainsKey("deployment_branch_policy"), "a static policy block cannot say 'any branch'");
        var policy = Single(environment["dynamic"]!["deployment_branch_policy"]);
        Assert.Equal("${var.protected_branches_only ? [1] : []}", policy["for_each"]!.GetValue<string>());
        var content = Single(policy["content"]);
        Assert.True(content["protected_branches"]!.GetValue<bool>() ^ content["custom_branch_policies"]!.GetValue<bool>());

        Assert.False(documents["github/environments/dev/terraform.tfvars"]["github_protected_branches_only"]!.GetValue<bool>());
        foreach (var environmentName in new[] { "staging", "production" })
            Assert.False(documents[$"github/environments/{environmentName}/terraform.tfvars"].ContainsKey("github_protected_branches_only"),
                $"{environmentName} keeps the default: protected branches only");
    }

    [Fact]
    public async Task GitHub_environments_live_in_their_own_root_and_no_environment_root_touches_github()
    {
        var documents = await Documents();
        var root = Module(documents, "");
        Assert.DoesNotContain(root.ModuleCalls.Values, x => x["source"]!.GetValue<string>().Contains("github", StringComparison.Ordinal));
        Assert.DoesNotContain(documents["providers.tf"]["provider"]?.AsObject().Select(x => x.Key) ?? [], x => x == "github");
        Assert.DoesNotContain(root.Variables.Keys, x => x is "github_owner" or "github_repository" or "manage_github_environment");

        var github = Module(documents, "github/");
        Assert.Equal("../modules/github_environment", github.ModuleCalls["github_environment"]["source"]!.GetValue<string>());
        foreach (var environment in EnvironmentNames)
        {
            Assert.True(documents.ContainsKey($"github/environments/{environment}/terraform.tfvars"));
            var backend = documents[$"github/environments/{environment}/backend.hcl"];
            Assert.Equal("tfstate-github", backend["container_name"]!.GetValue<string>());
            Assert.Contains(environment, backend["key"]!.GetValue<string>());
            // The environment's state it reads its variables from is that environment's own.
            var state = documents[$"github/environments/{environment}/terraform.tfvars"]["environment_state"]!.AsObject();
            var envBackend = documents[$"environments/{environment}/backend.hcl"];
            foreach (var key in new[] { "resource_group_name", "storage_account_name", "container_name", "key" })
                Assert.Equal(envBackend[key]!.GetValue<string>(), state[key]!.GetValue<string>());
        }

        // Every output the GitHub root reads exists in the environment root.
        var outputs = Module(documents, "").Outputs.Keys.ToHashSet();
        var used = github.ModuleCalls["github_environment"]["variables"]!.AsObject()
            .Select(x => x.Value!.GetValue<string>()).ToList();
        Assert.NotEmpty(used);
        foreach (var expression in used)
            Assert.Contains(expression.Replace("${local.environment.", "", StringComparison.Ordinal).TrimEnd('}'), outputs);
    }

    [Fact]
    public async Task The_environments_register_no_resource_provider_and_the_bootstrap_registers_every_one_they_use()
    {
        var documents = await Documents();
        var azurerm = documents["providers.tf"]["provider"]!["azurerm"]!.AsArray()[0]!.AsObject();
        Assert.Equal("none", azurerm["resource_provider_registrations"]!.GetValue<string>());

        var registered = Module(documents, "bootstrap/").Variables["resource_providers"]["default"]!.AsArray().Select(x => x!.GetValue<string>()).ToHashSet();
        var namespaces = new Dictionary<string, string>
        {
            ["azurerm_container_app"] = "Microsoft.App",
            ["azurerm_container_app_environment"] = "Microsoft.App",
            ["azurerm_container_app_custom_domain"] = "Microsoft.App",
            ["azurerm_log_analytics_workspace"] = "Microsoft.OperationalInsights",
            ["azurerm_container_registry"] = "Microsoft.ContainerRegistry",
            ["azurerm_key_vault"] = "Microsoft.KeyVault",
            ["azurerm_monitor_diagnostic_setting"] = "Microsoft.Insights",
            ["azurerm_storage_account"] = "Microsoft.Storage",
            ["azurerm_storage_container"] = "Microsoft.Storage",
            ["azurerm_user_assigned_identity"] = "Microsoft.ManagedIdentity",
            ["azurerm_federated_identity_credential"] = "Microsoft.ManagedIdentity",
        };
        // Resource groups, role assignments/definitions and locks are Microsoft.Resources/Authorization: always registered.
        string[] alwaysRegistered = ["azurerm_resource_group", "azurerm_role_assignment", "azurerm_role_definition", "azurerm_management_lock"];
        var environmentModules = TerraformModuleView.All(documents).Where(x => x.Directory is "" || x.Directory.StartsWith("modules/", StringComparison.Ordinal));
        foreach (var type in environmentModules.SelectMany(x => x.ResourceTypes).Where(x => x.StartsWith("azurerm_", StringComparison.Ordinal)).Distinct())
        {
            if (alwaysRegistered.Contains(type))
                continue;
            Assert.True(namespaces.TryGetValue(type, out var ns), $"{type}: which resource provider does it need? Add it to this map and to infra/bootstrap.");
            Assert.Contains(ns, registered);
        }
    }

    [Fact]
    public async Task A_new_environment_is_built_in_stages_placeholder_image_first_custom_domain_last()
    {
        var documents = await Documents();
        var root = Module(documents, "");
        var stage = root.Variables["bootstrap_stage"];
        Assert.Equal("complete", stage["default"]!.GetValue<string>());
        foreach (var name in new[] { "foundation", "apps", "complete" })
            Assert.Contains($"\"{name}\"", Single(stage["validation"])["condition"]!.GetValue<string>());

        var locals = documents["main.tf"]["locals"]!.AsArray().Select(x => x!.AsObject()).Single(x => x.ContainsKey("create_apps"));
        Assert.Equal("${var.bootstrap_stage != \"foundation\"}", locals["create_apps"]!.GetValue<string>());
        Assert.Equal("${var.bootstrap_stage == \"apps\" ? var.placeholder_image : null}", locals["placeholder_image"]!.GetValue<string>());
        Assert.Equal("${var.bootstrap_stage == \"complete\"}", locals["bind_custom_domain"]!.GetValue<string>());
        foreach (var app in new[] { "web", "workers" })
        {
            Assert.Equal("${local.create_apps ? 1 : 0}", root.ModuleCalls[app]["count"]!.GetValue<string>());
            Assert.Equal("${local.placeholder_image}", root.ModuleCalls[app]["placeholder_image"]!.GetValue<string>());
        }
        Assert.Equal("${local.bind_custom_domain}", root.ModuleCalls["web"]["bind_custom_domain"]!.GetValue<string>());
        Assert.StartsWith("mcr.microsoft.com/", root.Variables["placeholder_image"]["default"]!.GetValue<string>());

        var module = Module(documents, "modules/container_app/");
        var moduleLocals = module.Files.Values.SelectMany(x => x["locals"]?.AsArray() ?? []).Select(x => x!.AsObject()).Single();
        Assert.Equal("${var.placeholder_image != null ? var.placeholder_image : var.image}", moduleLocals["image"]!.GetValue<string>());
        Assert.Contains("var.placeholder_image == null", moduleLocals["probes"]!.GetValue<string>());
        var domain = module.Resources("azurerm_container_app_custom_domain")["this"];
        Assert.Equal("${var.custom_domain != null && var.bind_custom_domain ? 1 : 0}", domain["count"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_deploy_identity_has_a_custom_role_without_identity_storage_or_vault_writes()
    {
        var documents = await Documents();
        var root = Module(documents, "");
        var assignments = root.Resources("azurerm_role_assignment");
        var deploy = assignments.Values.Where(x => x["principal_id"]!.GetValue<string>() == "${module.deploy_identity.principal_id}").ToList();
        Assert.DoesNotContain(deploy, x => x["role_definition_name"]?.GetValue<string>() is "Contributor" or "Owner" or "User Access Administrator");
        Assert.Equal("${azurerm_role_definition.deployer.role_definition_resource_id}", assignments["deploy_apps"]["role_definition_id"]!.GetValue<string>());

        var role = root.Resources("azurerm_role_definition")["deployer"];
        var permissions = Single(role["permissions"]);
        var actions = permissions["actions"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        var notActions = permissions["not_actions"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        Assert.DoesNotContain(actions, x => x is "*" || x.EndsWith("/*/write", StringComparison.Ordinal) || x.StartsWith("Microsoft.ManagedIdentity/userAssignedIdentities/federated", StringComparison.Ordinal) ||
                                            x.StartsWith("Microsoft.Storage/", StringComparison.Ordinal) || x.StartsWith("Microsoft.KeyVault/", StringComparison.Ordinal) ||
                                            x.StartsWith("Microsoft.Authorization/", StringComparison.Ordinal));
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", notActions);
        Assert.Contains("Microsoft.Storage/storageAccounts/write", notActions);
        Assert.Contains("Microsoft.App/containerApps/write", actions);
        Assert.Equal(["${azurerm_resource_group.this.id}"], role["assignable_scopes"]!.AsArray().Select(x => x!.GetValue<string>()));

        // Role assignments: only AcrPull / Key Vault Secrets User, and only for the two app identities.
        var grants = assignments["deploy_grants"];
        Assert.Equal("Role Based Access Control Administrator", grants["role_definition_name"]!.GetValue<string>());
        var condition = grants["condition"]!.GetValue<string>();
        Assert.Contains("@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {${local.grantable_principals}}", condition);
        Assert.Contains("@Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {${local.grantable_principals}}", condition);
        var locals = documents["access.tf"]["locals"]!.AsArray()[0]!.AsObject();
        Assert.Equal("${join(\", \", [module.pull_identity.principal_id, module.secrets_identity.principal_id])}", locals["grantable_principals"]!.GetValue<string>());
        Assert.Equal(["acr_pull", "key_vault_secrets_user"], locals["role_ids"]!.AsObject().Select(x => x.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("modules/key_vault/", "azurerm_key_vault")]
    [InlineData("modules/deployment_state/", "azurerm_storage_account")]
    [InlineData("modules/container_registry/", "azurerm_container_registry")]
    [InlineData("bootstrap/", "azurerm_storage_account")]
    public async Task Stateful_resources_are_protected_from_destroy_and_locked_in_production(string directory, string type)
    {
        var documents = await Documents();
        var module = Module(documents, directory);
        var resource = Assert.Single(module.Resources(type).Values);
        Assert.True(Single(resource["lifecycle"])["prevent_destroy"]!.GetValue<bool>());

        var lockBlock = Assert.Single(module.Resources("azurerm_management_lock").Values);
        Assert.Equal("CanNotDelete", lockBlock["lock_level"]!.GetValue<string>());
        Assert.Equal($"${{{type}.{module.Resources(type).Single().Key}.id}}", lockBlock["scope"]!.GetValue<string>());
        if (directory == "bootstrap/")
            Assert.False(lockBlock.ContainsKey("count"), "the state storage is always locked");
        else
            Assert.Equal("${var.resource_lock ? 1 : 0}", lockBlock["count"]!.GetValue<string>());
    }

    [Fact]
    public async Task Production_locks_its_stateful_resources_and_the_state_storage_keeps_versions()
    {
        var documents = await Documents();
        Assert.True(documents["environments/production/terraform.tfvars"]["resource_locks"]!.GetValue<bool>());
        var root = Module(documents, "");
        foreach (var call in new[] { "key_vault", "registry", "deployment_state" })
            Assert.Equal("${var.resource_locks}", root.ModuleCalls[call]["resource_lock"]!.GetValue<string>());

        var bootstrap = Module(documents, "bootstrap/");
        var account = bootstrap.Resources("azurerm_storage_account")["state"];
        Assert.False(account["shared_access_key_enabled"]!.GetValue<bool>());
        var blob = Single(account["blob_properties"]);
        Assert.True(blob["versioning_enabled"]!.GetValue<bool>());
        Assert.NotNull(Single(blob["delete_retention_policy"])["days"]);
        Assert.NotNull(Single(blob["container_delete_retention_policy"])["days"]);

        // The bootstrap creates exactly the containers the backend.hcl files name.
        var containers = bootstrap.Variables["state_containers"]["default"]!.AsArray().Select(x => x!.GetValue<string>()).ToHashSet();
        var backends = documents.Where(x => x.Key.EndsWith("backend.hcl", StringComparison.Ordinal)).Select(x => x.Value).ToList();
        Assert.Equal(6, backends.Count);
        foreach (var backend in backends)
        {
            Assert.Contains(backend["container_name"]!.GetValue<string>(), containers);
            Assert.Equal(bootstrap.Variables["storage_account_name"]["default"]!.GetValue<string>(), backend["storage_account_name"]!.GetValue<string>());
            Assert.Equal(bootstrap.Variables["resource_group_name"]["default"]!.GetValue<string>(), backend["resource_group_name"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Key_vault_reads_are_audited_in_log_analytics_and_public_access_is_explicit()
    {
        var documents = await Documents();
        var module = Module(documents, "modules/key_vault/");
        var vault = module.Resources("azurerm_key_vault")["this"];
        Assert.Equal("${var.public_network_access_enabled}", vault["public_network_access_enabled"]!.GetValue<string>());
        var diagnostics = module.Resources("azurerm_monitor_diagnostic_setting")["this"];
        Assert.Equal("${azurerm_key_vault.this.id}", diagnostics["target_resource_id"]!.GetValue<string>());
        Assert.Equal("${var.log_analytics_workspace_id}", diagnostics["log_analytics_workspace_id"]!.GetValue<string>());
        Assert.Equal("audit", Single(diagnostics["enabled_log"])["category_group"]!.GetValue<string>());
        Assert.Equal("${module.platform.log_analytics_workspace_id}", Module(documents, "").ModuleCalls["key_vault"]["log_analytics_workspace_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Probes_wait_longer_than_one_second_and_the_workers_serve_health_on_all_interfaces()
    {
        var documents = await Documents();
        var timeout = Module(documents, "modules/container_app/").Variables["probe_timeout_seconds"];
        Assert.True(timeout["default"]!.GetValue<int>() > 1);
        Assert.Contains("var.probe_timeout_seconds > 1", Single(timeout["validation"])["condition"]!.GetValue<string>());

        var workers = Module(documents, "").ModuleCalls["workers"];
        var settings = workers["settings"]!.GetValue<string>();
        Assert.Contains("WORKER_HEALTH_HOST = \"0.0.0.0\"", settings);
        Assert.Contains("WORKER_HEALTH_PORT = tostring(var.workers.health_port)", settings);
        // The worker's own default port (src/workers/lib/config.mjs) is the probed one.
        var config = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "src", "workers", "lib", "config.mjs"), TestContext.Current.CancellationToken);
        var port = Module(documents, "").Variables["workers"]["default"]!["health_port"]!.GetValue<int>();
        Assert.Contains($"'WORKER_HEALTH_PORT', {port}", config);
    }

    [Fact]
    public async Task Container_apps_leave_image_revision_suffix_and_traffic_to_deploys_and_the_web_app_has_revisions()
    {
        var documents = await Documents();
        var app = Module(documents, "modules/container_app/").Resources("azurerm_container_app")["this"];
        var ignored = Single(app["lifecycle"])["ignore_changes"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        foreach (var field in new[] { "template[0].container[0].image", "template[0].revision_suffix", "ingress[0].traffic_weight" })
            Assert.Contains($"${{{field}}}", ignored);
        Assert.Equal("${var.revision_mode}", app["revision_mode"]!.GetValue<string>());
        Assert.Equal("Multiple", Module(documents, "").ModuleCalls["web"]["revision_mode"]!.GetValue<string>());
    }

    /// <summary>
    /// Evaluates the naming of locals.tf for one environment's tfvars: only the forms it uses (var.X, local.X and
    /// substr(var.environment, 0, N)); anything else fails the test so the naming cannot drift unnoticed.
    /// </summary>
    static Dictionary<string, string> Names(IReadOnlyDictionary<string, JsonObject> documents, string environment)
    {
        var root = Module(documents, "");
        var tfvars = documents[$"environments/{environment}/terraform.tfvars"];
        string Variable(string name) => tfvars[name]?.GetValue<string>() ?? root.Variables[name]["default"]!.GetValue<string>();
        var locals = documents["locals.tf"]["locals"]!.AsArray()[0]!.AsObject();
        var values = new Dictionary<string, string>();
        string Evaluate(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\$\{([^}]*)\}", m =>
        {
            var expression = m.Groups[1].Value.Trim();
            var substr = System.Text.RegularExpressions.Regex.Match(expression, @"^substr\(var\.(\w+), 0, (\d+)\)$");
            if (substr.Success)
            {
                var value = Variable(substr.Groups[1].Value);
                return value[..Math.Min(value.Length, int.Parse(substr.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))];
            }
            if (expression.StartsWith("var.", StringComparison.Ordinal))
                return Variable(expression[4..]);
            if (expression.StartsWith("local.", StringComparison.Ordinal))
                return values[expression[6..]];
            throw new InvalidOperationException($"locals.tf uses a form this test cannot evaluate: {expression}");
        });
        values["base_name"] = Evaluate(locals["base_name"]!.GetValue<string>());
        values["compact_name"] = Evaluate(locals["compact_name"]!.GetValue<string>());
        return locals["names"]!.AsObject().ToDictionary(x => x.Key, x => Evaluate(x.Value!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Environment_json_names_the_resources_and_the_url_terraform_creates(string environment)
    {
        var documents = await Documents();
        var names = Names(documents, environment);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Infra, "environments", environment, "environment.json"),
            TestContext.Current.CancellationToken))!.AsObject();
        var target = json["target"]!.AsObject();
        Assert.Equal(names["resource_group"], target["resourceGroup"]!.GetValue<string>());
        Assert.Equal(names["web_app"], target["webApp"]!.GetValue<string>());
        Assert.Equal(names["workers_app"], target["workerApp"]!.GetValue<string>());
        Assert.Equal($"{names["registry"]}.azurecr.io", target["registry"]!.GetValue<string>());
        Assert.Equal($"https://{names["key_vault"]}.vault.azure.net/", json["secrets"]!["vaultUrl"]!.GetValue<string>());
        // The journal and lock live in the container module.deployment_state creates (output deployment_state_url).
        var container = Module(documents, "").Variables["deployment_state_container"]["default"]!.GetValue<string>();
        Assert.Equal("${var.deployment_state_container}", Module(documents, "").ModuleCalls["deployment_state"]["container_name"]!.GetValue<string>());
        Assert.Equal($"https://{names["deployment_storage"]}.blob.core.windows.net/{container}", target["state"]!.GetValue<string>());

        // The URL a deploy verifies is the custom domain Terraform binds (with its managed certificate).
        var domain = documents[$"environments/{environment}/terraform.tfvars"]["custom_domain"]?.GetValue<string>();
        Assert.NotNull(domain);
        Assert.Equal($"https://{domain}", json["url"]!.GetValue<string>());
        Assert.Equal("${var.custom_domain}", Module(documents, "").ModuleCalls["web"]["custom_domain"]!.GetValue<string>());
    }
}
