namespace MeshHook.Deployment.Stages;

/// <summary>Poll a /health endpoint until it reports status ok and the expected version.</summary>
public sealed record WaitForHealth(string Name, Uri Url, string Version, string? LogOf = null) : DeployStep
{
    public override string Describe() => $"poll {Url} until status is ok and version is {Version}";
}
