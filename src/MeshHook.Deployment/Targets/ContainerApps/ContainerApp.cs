using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>What GET of a container app returned (response model: only read, never sent back as is).</summary>
public sealed record ContainerApp(
    string Name,
    string? ProvisioningState,
    string ActiveRevisionsMode,
    string? LatestRevisionName,
    string? LatestReadyRevisionName,
    string? Fqdn,
    IReadOnlyList<TrafficWeight> Traffic,
    IReadOnlyList<ContainerImage> Containers)
{
    /// <summary>True when the app has ingress (the web); workers have none, so no traffic and no labels.</summary>
    public bool HasIngress { get; init; }

    /// <summary>The app's body as ARM sent it: the template and ingress a PATCH starts from (what Terraform set stays).</summary>
    internal JsonObject Body { get; init; } = new();

    public bool IsMultipleRevisionMode => string.Equals(ActiveRevisionsMode, "Multiple", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The revisions receiving traffic with their weights, <c>latestRevision: true</c> resolved to the revision it means
    /// (the latest ready one).
    /// </summary>
    public IReadOnlyList<(string Revision, int Weight)> ServingRevisions() =>
        Traffic.Where(t => t.Weight > 0)
            .Select(t => (Revision: t.LatestRevision ? LatestReadyRevisionName ?? LatestRevisionName : t.RevisionName, t.Weight))
            .Where(t => t.Revision is not null)
            .GroupBy(t => t.Revision!)
            .Select(g => (g.Key, g.Sum(t => t.Weight)))
            .ToList();

    internal static ContainerApp FromJson(JsonObject body)
    {
        var properties = body["properties"] as JsonObject ?? new JsonObject();
        var configuration = properties["configuration"] as JsonObject;
        var ingress = configuration?["ingress"] as JsonObject;
        var traffic = (ingress?["traffic"] as JsonArray ?? []).OfType<JsonObject>().Select(TrafficWeight.FromJson).ToList();
        var containers = (properties["template"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new ContainerImage((string?)c["name"] ?? "", (string?)c["image"] ?? "")).ToList();
        return new ContainerApp(
            (string?)body["name"] ?? "",
            (string?)properties["provisioningState"],
            (string?)configuration?["activeRevisionsMode"] ?? "Single",
            (string?)properties["latestRevisionName"],
            (string?)properties["latestReadyRevisionName"],
            (string?)ingress?["fqdn"],
            traffic,
            containers)
        {
            HasIngress = ingress is not null,
            Body = body,
        };
    }
}

/// <summary>One container of an app's template: its name and image.</summary>
public sealed record ContainerImage(string Name, string Image);

/// <summary>One entry of <c>properties.configuration.ingress.traffic</c> as ARM reports it.</summary>
public sealed record TrafficWeight(string? RevisionName, int Weight, string? Label, bool LatestRevision)
{
    internal static TrafficWeight FromJson(JsonObject entry) =>
        new((string?)entry["revisionName"], (int?)entry["weight"] ?? 0, (string?)entry["label"], (bool?)entry["latestRevision"] ?? false);

    public string Describe() =>
        $"{(LatestRevision ? "latest revision" : RevisionName)} {Weight} %{(Label is null ? "" : $" (label {Label})")}";
}
