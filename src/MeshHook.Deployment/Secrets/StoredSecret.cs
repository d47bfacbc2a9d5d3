namespace MeshHook.Deployment.Secrets;

/// <summary>A secret in an environment's encrypted store: its name and when it was last set (never its value).</summary>
public sealed record StoredSecret(string Name, DateTimeOffset UpdatedAt);
