namespace MeshHook.Deployment.Reporting;

/// <summary>How long one stage of a deployment took, and how it ended.</summary>
public sealed record StageTiming(string Name, TimeSpan Duration, string? Outcome);
