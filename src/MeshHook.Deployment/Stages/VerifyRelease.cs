namespace MeshHook.Deployment.Stages;

/// <summary>Check every artifact of the release against release.json.</summary>
public sealed record VerifyRelease(string ReleaseId) : DeployStep
{
    public override string Describe() => $"verify the sha256 and size of every artifact of {ReleaseId}";
}
