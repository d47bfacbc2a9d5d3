namespace MeshHook.Deployment.Health;

/// <summary>What one GET of a /health endpoint returned (or why it failed).</summary>
public sealed record HealthReport(int? StatusCode, string? Status, string? Version, string? Body, string? Error)
{
    public bool IsHealthyAt(string version) => StatusCode == 200 && Status == "ok" && Version == version;

    public string Describe() =>
        Error is not null
            ? Error
            : $"HTTP {StatusCode}, status '{Status ?? "?"}', version '{Version ?? "?"}'";
}
