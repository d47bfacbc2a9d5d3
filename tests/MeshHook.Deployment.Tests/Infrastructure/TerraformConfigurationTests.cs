using System.Text.Json.Nodes;
using MeshHook.Deployment.Infrastructure;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// Static checks of infra/ without terraform: every file parses (@cdktf/hcl2json), names used are declared, module
/// calls and tfvars are complete, and the configuration says what issue #6 asks for. The provider schemas are checked
/// by <see cref="TerraformSchemaTests"/>, what a first apply needs by <see cref="TerraformFirstApplyTests"/>; real
/// Azure is beyond these tests.
/// </summary>
public sealed class TerraformConfigurationTests
{
    static readonly string[] EnvironmentNames = ["dev", "staging", "production"];

    public static TheoryData<string> Environments => new(EnvironmentNames);

    static Task<IReadOnlyDictionary<string, JsonObject>> Documents() => HclDocuments.InfraAsync(TestContext.Current.CancellationToken);

    static TerraformModuleView Root(IReadOnlyDictionary<string, JsonObject> documents) => TerraformModuleView.Of(documents, "");

    [Fact]
    public async Task Every_terraform_file_parses()
    {
        var documents = await Documents();
        var onDisk = Directory.EnumerateFiles(RepositoryFiles.Infra, "*", SearchOption.AllDirectories)
            .Where(x => x.EndsWith(".tf", StringComparison.Ordinal) || x.EndsWith(".tfvars", StringComparison.Ordinal) ||
                        (x.EndsWith(".hcl", StringComparison.Ordinal) && !x.EndsWith(".lock.hcl", StringComparison.Ordinal)))
            .Where(x => !x.Contains($"{Path.DirectorySeparatorChar}.terraform{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(x => Path.GetRelativePath(RepositoryFiles.Infra, x).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(onDisk, documents.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("versions.tf", onDisk);
        Assert.True(onDisk.Count(x => x.StartsWith("modules/", StringComparison.Ordinal)) >= 6, "expected the modules under infra/modules/");
    }

    [Fact]
    public async Task A_syntax_error_is_reported_with_file_and_line()
    {
        var directory = Directory.CreateTempSubdirectory("meshhook-hcl-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "broken.tf"), "variable \"x\" {\n  type = string\n\nresource \"a\" \"b\" {\n",
                TestContext.Current.CancellationToken);
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => HclDocuments.ParseAsync(directory, TestContext.Current.CancellationToken));
            Assert.Contains("broken.tf:4", failure.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Every_variable_used_is_declared_in_its_module()
    {
        var failures = new List<string>();
        foreach (var module in TerraformModuleView.All(await Documents()))
        {
            var declared = module.Variables.Keys.ToHashSet();
            failures.AddRange(module.VariableReferences.Where(x => !declared.Contains(x)).Select(x => $"{module.Name}: var.{x} is not declared"));
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Every_local_and_module_output_used_is_defined()
    {
        var documents = await Documents();
        var failures = new List<string>();
        foreach (var module in TerraformModuleView.All(documents))
        {
            failures.AddRange(module.LocalReferences.Where(x => !module.Locals.Contains(x)).Select(x => $"{module.Name}: local.{x} is not defined"));
            foreach (var (call, output) in module.ModuleOutputReferences)
            {
                if (!module.ModuleCalls.TryGetValue(call, out var block))
                {
                    failures.Add($"{module.Name}: module.{call} is not called");
                    continue;
                }
                var target = TerraformModuleView.Of(documents, module.SourceDirectory(block));
                if (!target.Outputs.ContainsKey(output))
                    failures.Add($"{module.Name}: module.{call}.{output} is not an output of {target.Name}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Every_module_call_passes_every_required_variable_and_only_declared_ones()
    {
        var documents = await Documents();
        string[] metaArguments = ["source", "version", "count", "for_each", "depends_on", "providers"];
        var failures = new List<string>();
        var calls = 0;
        foreach (var module in TerraformModuleView.All(documents))
        {
            foreach (var (name, call) in module.ModuleCalls)
            {
                calls++;
                var target = TerraformModuleView.Of(documents, module.SourceDirectory(call));
                Assert.NotEmpty(target.Files);
                var passed = call.Select(x => x.Key).Except(metaArguments).ToHashSet();
                failures.AddRange(target.RequiredVariables.Where(x => !passed.Contains(x))
                    .Select(x => $"module \"{name}\" in {module.Name} does not pass the required variable {x} of {target.Name}"));
                failures.AddRange(passed.Where(x => !target.Variables.ContainsKey(x))
                    .Select(x => $"module \"{name}\" in {module.Name} passes {x}, which {target.Name} does not declare"));
            }
        }

        Assert.Empty(failures);
        Assert.True(calls >= 6, $"expected the root module to call the modules, found {calls} calls");
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Every_required_root_variable_is_set_in_the_environments_tfvars(string environment)
    {
        var documents = await Documents();
        var root = Root(documents);
        var tfvars = documents[$"environments/{environment}/terraform.tfvars"];

        var missing = root.RequiredVariables.Except(TerraformCommands.CommandLineVariables).Where(x => !tfvars.ContainsKey(x)).ToList();
        var undeclared = tfvars.Select(x => x.Key).Where(x => !root.Variables.ContainsKey(x)).ToList();

        Assert.True(missing.Count == 0, $"environments/{environment}/terraform.tfvars does not set: {string.Join(", ", missing)}");
        Assert.True(undeclared.Count == 0, $"environments/{environment}/terraform.tfvars sets undeclared variables: {string.Join(", ", undeclared)}");
        Assert.Equal(environment, tfvars["environment"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Each_environment_has_its_own_backend_and_tfvars(string environment)
    {
        var documents = await Documents();
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.Infra, "environments", environment, "backend.hcl")));
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.Infra, "environments", environment, "terraform.tfvars")));

        var backend = documents[$"environments/{environment}/backend.hcl"];
        foreach (var key in new[] { "resource_group_name", "storage_account_name", "container_name", "key" })
            Assert.True(backend.ContainsKey(key), $"backend.hcl of {environment} does not set {key}");
        Assert.Contains(environment, backend["key"]!.GetValue<string>());
        Assert.Contains(environment, backend["container_name"]!.GetValue<string>());
        Assert.True(backend["use_azuread_auth"]!.GetValue<bool>(), "the state is read with Entra ID, never with an account key");
        Assert.DoesNotContain(backend, x => x.Key is "access_key" or "sas_token" or "client_secret");
    }

    [Fact]
    public async Task Environments_keep_their_state_apart()
    {
        var documents = await Documents();
        var states = EnvironmentNames.Select(x => documents[$"environments/{x}/backend.hcl"])
            .Select(x => $"{x["storage_account_name"]}/{x["container_name"]}/{x["key"]}").ToList();
        Assert.Equal(states.Count, states.Distinct().Count());
    }

    [Fact]
    public async Task Versions_pin_terraform_and_the_providers_and_use_the_azurerm_backend()
    {
        // Exact pins (was "~> x.y"): the schema check validates against exactly one provider version, so a looser
        // constraint would let terraform init pick a version whose schema was never checked.
        var documents = await Documents();
        foreach (var (file, pins) in new[]
                 {
                     ("versions.tf", new[] { ("azurerm", "hashicorp/azurerm", "4.55.0"), ("azuread", "hashicorp/azuread", "3.7.0") }),
                     ("github/versions.tf", new[] { ("github", "integrations/github", "6.9.0") }),
                 })
        {
            var versions = documents[file]["terraform"]!.AsArray()[0]!.AsObject();
            Assert.Matches(@"^>= ?1\.\d+", versions["required_version"]!.GetValue<string>());
            var providers = versions["required_providers"]!.AsArray()[0]!.AsObject();
            foreach (var (name, source, version) in pins)
            {
                var provider = providers[name]!.AsObject();
                Assert.Equal(source, provider["source"]!.GetValue<string>());
                Assert.Equal($"= {version}", provider["version"]!.GetValue<string>());
            }
            Assert.NotNull(versions["backend"]!["azurerm"]);
        }
    }

    [Fact]
    public async Task Modules_using_the_github_provider_name_its_source()
    {
        // A module that uses github_* resources without required_providers would look for hashicorp/github.
        var documents = await Documents();
        foreach (var module in TerraformModuleView.All(documents).Where(x => x.Directory.Length > 0))
        {
            var usesGitHub = module.ResourceTypes.Any(x => x.StartsWith("github_", StringComparison.Ordinal));
            if (!usesGitHub)
                continue;
            var sources = module.Files.Values.Where(x => x["terraform"] is JsonArray)
                .SelectMany(x => x["terraform"]!.AsArray()).Select(x => x!["required_providers"]?.AsArray()[0]?["github"]?["source"]?.GetValue<string>());
            Assert.Contains("integrations/github", sources);
        }
    }

    [Fact]
    public async Task The_web_app_has_external_ingress_the_workers_none_and_both_have_health_probes()
    {
        var documents = await Documents();
        var calls = Root(documents).ModuleCalls;
        var web = calls["web"];
        var workers = calls["workers"];
        Assert.Equal("./modules/container_app", web["source"]!.GetValue<string>());
        Assert.Equal("./modules/container_app", workers["source"]!.GetValue<string>());
        Assert.True(web["ingress"]!["external"]!.GetValue<bool>());
        Assert.Equal("/health", web["health_path"]!.GetValue<string>());
        Assert.Null(workers["ingress"]);
        // Was Assert.Null(workers["health_path"]): the workers are now probed on their own /health port (issue 10).
        Assert.Equal("/health", workers["health_path"]!.GetValue<string>());
        Assert.Equal("${var.workers.health_port}", workers["health_port"]!.GetValue<string>());
        Assert.Contains("${var.image_tag}", web["image"]!.GetValue<string>());
        Assert.Contains("${var.image_tag}", workers["image"]!.GetValue<string>());

        var app = TerraformModuleView.Of(documents, "modules/container_app/").Resources("azurerm_container_app")["this"];
        var container = app["template"]![0]!["container"]![0]!.AsObject();
        foreach (var probe in new[] { "startup_probe", "liveness_probe", "readiness_probe" })
        {
            var block = container["dynamic"]![probe]![0]!.AsObject();
            Assert.Contains("var.health_path", block["for_each"]!.GetValue<string>());
            Assert.Equal("HTTP", block["content"]![0]!["transport"]!.GetValue<string>());
            Assert.Equal($"${{{probe}.value}}", block["content"]![0]!["path"]!.GetValue<string>());
            Assert.Equal("${var.probe_timeout_seconds}", block["content"]![0]!["timeout"]!.GetValue<string>());
        }
        Assert.Contains("var.ingress == null", app["dynamic"]!["ingress"]![0]!["for_each"]!.GetValue<string>());
    }

    [Fact]
    public async Task Secrets_reach_the_apps_as_key_vault_references_never_as_values()
    {
        var documents = await Documents();
        var all = TerraformModuleView.All(documents);
        Assert.DoesNotContain(all, x => x.Resources("azurerm_key_vault_secret").Count > 0);
        var secretBlocks = all.SelectMany(x => x.Resources("azurerm_container_app").Values)
            .SelectMany(app => (app["secret"]?.AsArray() ?? []).Concat(app["dynamic"]?["secret"]?.AsArray().SelectMany(x => x!["content"]!.AsArray()) ?? []))
            .Select(x => x!.AsObject())
            .ToList();
        Assert.NotEmpty(secretBlocks);
        Assert.DoesNotContain(secretBlocks, x => x.ContainsKey("value"));

        var app = TerraformModuleView.Of(documents, "modules/container_app/").Resources("azurerm_container_app")["this"];
        var secret = app["dynamic"]!["secret"]![0]!["content"]![0]!.AsObject();
        Assert.Contains("secrets/", secret["key_vault_secret_id"]!.GetValue<string>());
        Assert.Equal("${var.secrets_identity_id}", secret["identity"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_key_vault_uses_rbac_and_each_identity_gets_only_its_role()
    {
        var documents = await Documents();
        var vault = TerraformModuleView.Of(documents, "modules/key_vault/").Resources("azurerm_key_vault")["this"];
        Assert.True(vault["rbac_authorization_enabled"]!.GetValue<bool>());
        Assert.False(vault.ContainsKey("access_policy"));

        var assignments = Root(documents).Resources("azurerm_role_assignment");
        string Role(string name) => assignments[name]["role_definition_name"]!.GetValue<string>();
        string Principal(string name) => assignments[name]["principal_id"]!.GetValue<string>();
        Assert.Equal("Key Vault Secrets User", Role("secrets_read"));
        Assert.Equal("${module.secrets_identity.principal_id}", Principal("secrets_read"));
        Assert.Equal("Key Vault Secrets Officer", Role("deploy_secrets_write"));
        Assert.Equal("${module.deploy_identity.principal_id}", Principal("deploy_secrets_write"));
        Assert.Equal("AcrPull", Role("pull_registry"));
        Assert.Equal("${module.pull_identity.principal_id}", Principal("pull_registry"));

        // The apps' identities hold nothing else; nobody is made Owner or User Access Administrator.
        Assert.Single(assignments.Values, x => x["principal_id"]!.GetValue<string>() == "${module.secrets_identity.principal_id}");
        Assert.Single(assignments.Values, x => x["principal_id"]!.GetValue<string>() == "${module.pull_identity.principal_id}");
        Assert.DoesNotContain(assignments.Values, x => x["role_definition_name"]?.GetValue<string>() is "Owner" or "User Access Administrator");
        Assert.Contains("roleAssignments:RoleDefinitionId", assignments["deploy_grants"]["condition"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_the_environments_github_job_can_sign_in_as_its_deploy_identity()
    {
        var documents = await Documents();
        var root = Root(documents);
        var locals = documents["locals.tf"]["locals"]![0]!.AsObject();
        Assert.Equal("${var.github_oidc_subject_prefix}:environment:${var.environment}", locals["deploy_subject"]!.GetValue<string>());

        var withCredentials = root.ModuleCalls.Where(x => x.Value.ContainsKey("federated_subjects")).ToList();
        var deploy = Assert.Single(withCredentials);
        Assert.Equal("deploy_identity", deploy.Key);
        Assert.Equal("${local.deploy_subject}", deploy.Value["federated_subjects"]!.AsObject().Single().Value!.GetValue<string>());
        Assert.False(root.Variables["github_oidc_subject_prefix"].ContainsKey("default"), "the subject prefix is set per installation, never assumed");

        var credential = TerraformModuleView.Of(documents, "modules/managed_identity/").Resources("azurerm_federated_identity_credential")["this"];
        Assert.Equal("${each.value}", credential["subject"]!.GetValue<string>());
        var identityVariables = TerraformModuleView.Of(documents, "modules/managed_identity/").Variables;
        Assert.Equal("https://token.actions.githubusercontent.com", identityVariables["oidc_issuer"]["default"]!.GetValue<string>());
        Assert.Equal("api://AzureADTokenExchange", identityVariables["oidc_audience"]["default"]!.GetValue<string>());
    }

    [Fact]
    public async Task Production_requires_reviewers_in_its_github_environment()
    {
        // The GitHub environments moved to the administrator's root infra/github (issue 10): its tfvars name them.
        var documents = await Documents();
        var production = documents["github/environments/production/terraform.tfvars"];
        var reviewers = (production["github_reviewer_teams"]?.AsArray().Count ?? 0) + (production["github_reviewer_users"]?.AsArray().Count ?? 0);
        Assert.True(reviewers > 0, "production's GitHub tfvars names no required reviewer");

        var environment = TerraformModuleView.Of(documents, "modules/github_environment/").Resources("github_repository_environment")["this"];
        Assert.Contains("reviewers", environment["dynamic"]!.AsObject().Select(x => x.Key));
        Assert.False(environment["can_admins_bypass"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_image_tag_comes_only_from_the_command_line()
    {
        var documents = await Documents();
        Assert.False(Root(documents).Variables["image_tag"].ContainsKey("default"));
        foreach (var environment in EnvironmentNames)
            Assert.False(documents[$"environments/{environment}/terraform.tfvars"].ContainsKey("image_tag"));
    }

    [Fact]
    public async Task The_deployment_state_storage_exists_with_shared_keys_off()
    {
        var documents = await Documents();
        var state = TerraformModuleView.Of(documents, "modules/deployment_state/");
        var account = state.Resources("azurerm_storage_account")["this"];
        Assert.False(account["shared_access_key_enabled"]!.GetValue<bool>());
        Assert.Single(state.Resources("azurerm_storage_container"));
        Assert.Equal("Storage Blob Data Contributor",
            Root(documents).Resources("azurerm_role_assignment")["deploy_state"]["role_definition_name"]!.GetValue<string>());
    }
}
