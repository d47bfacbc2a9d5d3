using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>
/// Stops a plan that deletes or replaces a stateful resource (its data would be gone) in staging or production,
/// unless the person running it said --allow-destroy. Stateful is decided by resource type; dev is not protected.
/// </summary>
public static class DestroyGuard
{
    /// <summary>Resource types whose destruction loses data: secrets, images, logs, the deployment journal, or all of them.</summary>
    public static IReadOnlySet<string> StatefulResourceTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "azurerm_key_vault",
        "azurerm_storage_account",
        "azurerm_storage_container",
        "azurerm_container_registry",
        "azurerm_log_analytics_workspace",
        "azurerm_resource_group",
    };

    public static bool IsProtected(EnvironmentName environment) =>
        environment == EnvironmentName.Staging || environment == EnvironmentName.Production;

    /// <summary>The changes that destroy a stateful resource (whatever the environment).</summary>
    public static IReadOnlyList<PlannedChange> DestructiveChanges(TerraformPlanSummary plan) =>
        plan.Changes.Where(x => x.Mode == "managed" && x.Destroys && StatefulResourceTypes.Contains(x.Type)).ToList();

    /// <summary>The changes that stop this run: none in dev or with --allow-destroy.</summary>
    public static IReadOnlyList<PlannedChange> Violations(EnvironmentName environment, TerraformPlanSummary plan, bool allowDestroy) =>
        !IsProtected(environment) || allowDestroy ? [] : DestructiveChanges(plan);

    /// <summary>Throws, listing every offending address, when the plan may not go on.</summary>
    public static void Enforce(EnvironmentName environment, TerraformPlanSummary plan, bool allowDestroy)
    {
        var violations = Violations(environment, plan, allowDestroy);
        if (violations.Count == 0)
            return;
        var name = TerraformLayout.FolderName(environment);
        throw new InfrastructureException(
            $"The plan for {name} would destroy {violations.Count} stateful resource(s), and their data with them:" +
            System.Environment.NewLine +
            string.Join(System.Environment.NewLine, violations.Select(x => $"  {x.Address} ({x.ActionText})")) +
            System.Environment.NewLine +
            $"Nothing was applied. If this is intended, run again with --allow-destroy; otherwise change the configuration " +
            "(a renamed or moved resource needs a moved block, not a new address).");
    }
}
