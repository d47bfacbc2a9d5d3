namespace MeshHook.Deployment.Stages;

/// <summary>Write the environment's configuration, secrets resolved, to a file only its owner can read (0600).</summary>
public sealed record WriteEnvironmentFile(string Path, IReadOnlyList<string> Keys) : DeployStep
{
    public override string Describe() => $"write {Path} (mode 0600) with {string.Join(", ", Keys)}";
}
