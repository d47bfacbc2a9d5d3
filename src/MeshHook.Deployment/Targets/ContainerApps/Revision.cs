using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>What GET of a revision returned (response model).</summary>
public sealed record Revision(
    string Name,
    bool Active,
    string? ProvisioningState,
    string? RunningState,
    string? HealthState,
    int TrafficWeight,
    string? Fqdn,
    DateTimeOffset? CreatedTime,
    IReadOnlyList<string> Images,
    string? ProvisioningError)
{
    /// <summary>Provisioned, running (or running at its maximum scale) and not reported unhealthy.</summary>
    public bool IsRunning =>
        ProvisioningState == "Provisioned"
        && RunningState is "Running" or "RunningAtMaxScale"
        && HealthState != "Unhealthy";

    /// <summary>States that will not turn into running by waiting: fail at once instead of at the timeout.</summary>
    public bool HasFailed => ProvisioningState == "Failed" || RunningState is "Failed" or "Degraded";

    public string Describe() =>
        $"{Name}: {(Active ? "active" : "inactive")}, provisioning {ProvisioningState ?? "?"}, running {RunningState ?? "?"}, " +
        $"health {HealthState ?? "?"}, traffic {TrafficWeight} %, image {string.Join(", ", Images)}" +
        (string.IsNullOrEmpty(ProvisioningError) ? "" : $"; provisioning error: {ProvisioningError}");

    internal static Revision FromJson(JsonObject body)
    {
        var properties = body["properties"] as JsonObject ?? new JsonObject();
        var created = (string?)properties["createdTime"];
        return new Revision(
            (string?)body["name"] ?? "",
            (bool?)properties["active"] ?? false,
            (string?)properties["provisioningState"],
            (string?)properties["runningState"],
            (string?)properties["healthState"],
            (int?)properties["trafficWeight"] ?? 0,
            (string?)properties["fqdn"],
            created is null ? null : DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture),
            (properties["template"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => (string?)c["image"] ?? "").ToList(),
            (string?)properties["provisioningError"]);
    }
}
