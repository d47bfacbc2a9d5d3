namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>Request model: one entry of the traffic to set, always pinned to a named revision (never "latest").</summary>
public sealed record TrafficAssignment(string RevisionName, int Weight, string? Label = null)
{
    public string Describe() => $"{RevisionName} {Weight} %{(Label is null ? "" : $" (label {Label})")}";
}
