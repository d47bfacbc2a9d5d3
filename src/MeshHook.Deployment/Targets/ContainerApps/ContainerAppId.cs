namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>A container app's place in Azure: subscription, resource group and name (what ARM paths are made of).</summary>
public sealed record ContainerAppId(string SubscriptionId, string ResourceGroup, string Name)
{
    /// <summary>The resource group's ARM id: the scope the deploy identity's role is assigned at.</summary>
    public string ResourceGroupScope => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}";

    /// <summary>The app's ARM id, e.g. /subscriptions/…/resourceGroups/rg-meshhook-dev/providers/Microsoft.App/containerApps/ca-meshhook-dev-web.</summary>
    public string ResourceId => $"{ResourceGroupScope}/providers/Microsoft.App/containerApps/{Name}";

    /// <summary>A revision's name is always <c>{app}--{suffix}</c>.</summary>
    public string RevisionName(string suffix) => $"{Name}--{suffix}";

    public override string ToString() => $"container app {Name} (resource group {ResourceGroup})";
}
