using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Infrastructure;

namespace MeshHook.Deployment.Tests.Infrastructure;

public sealed class DestroyGuardTests
{
    static TerraformPlanSummary Fixture(string name) => TerraformPlanSummary.Parse(File.ReadAllText(RepositoryFiles.PlanFixture(name)));

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void Deleting_the_key_vault_stops_staging_and_production(string name)
    {
        var environment = EnvironmentNames.Parse(name);
        var failure = Assert.Throws<InfrastructureException>(() => DestroyGuard.Enforce(environment, Fixture("delete-key-vault.json"), allowDestroy: false));

        Assert.Contains("module.key_vault.azurerm_key_vault.this (delete)", failure.Message);
        Assert.Contains("--allow-destroy", failure.Message);
        // Its role assignments are deleted too, but they hold no data.
        Assert.DoesNotContain("azurerm_role_assignment", failure.Message);
    }

    [Fact]
    public void Replacing_in_either_order_and_deleting_stateful_resources_are_all_listed()
    {
        var violations = DestroyGuard.Violations(EnvironmentName.Production, Fixture("replace-stateful.json"), allowDestroy: false);

        Assert.Equal(
        [
            "module.platform.azurerm_log_analytics_workspace.this",
            "module.registry.azurerm_container_registry.this",
            "module.deployment_state.azurerm_storage_account.this",
        ], violations.Select(x => x.Address));
        var failure = Assert.Throws<InfrastructureException>(() =>
            DestroyGuard.Enforce(EnvironmentName.Production, Fixture("replace-stateful.json"), allowDestroy: false));
        Assert.Contains("would destroy 3 stateful resource(s)", failure.Message);
        Assert.Contains("module.registry.azurerm_container_registry.this (replace (destroy, then create))", failure.Message);
    }

    [Fact]
    public void Dev_is_not_protected()
    {
        Assert.Empty(DestroyGuard.Violations(EnvironmentName.Dev, Fixture("delete-key-vault.json"), allowDestroy: false));
        DestroyGuard.Enforce(EnvironmentName.Dev, Fixture("replace-stateful.json"), allowDestroy: false);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void Allow_destroy_lets_the_plan_go_on(string name)
    {
        var environment = EnvironmentNames.Parse(name);
        Assert.Empty(DestroyGuard.Violations(environment, Fixture("delete-key-vault.json"), allowDestroy: true));
        DestroyGuard.Enforce(environment, Fixture("replace-stateful.json"), allowDestroy: true);
    }

    [Fact]
    public void Deleting_and_replacing_stateless_resources_is_allowed()
    {
        var plan = Fixture("mixed-changes.json");
        Assert.Contains(plan.Changes, x => x.Action == PlannedAction.Delete);
        Assert.Contains(plan.Changes, x => x.IsReplace);

        Assert.Empty(DestroyGuard.Violations(EnvironmentName.Production, plan, allowDestroy: false));
    }

    [Fact]
    public void Updating_a_stateful_resource_in_place_is_allowed()
    {
        var plan = TerraformPlanSummary.Parse("""
            {"format_version":"1.2","resource_changes":[
              {"address":"module.key_vault.azurerm_key_vault.this","mode":"managed","type":"azurerm_key_vault","name":"this",
               "change":{"actions":["update"],"before":{},"after":{}}},
              {"address":"module.registry.azurerm_container_registry.this","mode":"managed","type":"azurerm_container_registry","name":"this",
               "change":{"actions":["forget"],"before":{},"after":null}}]}
            """);
        Assert.Empty(DestroyGuard.Violations(EnvironmentName.Production, plan, allowDestroy: false));
    }

    [Theory]
    [InlineData("azurerm_key_vault")]
    [InlineData("azurerm_storage_account")]
    [InlineData("azurerm_container_registry")]
    [InlineData("azurerm_log_analytics_workspace")]
    public void The_stateful_types_include_those_of_the_issue(string type) =>
        Assert.Contains(type, DestroyGuard.StatefulResourceTypes);
}
