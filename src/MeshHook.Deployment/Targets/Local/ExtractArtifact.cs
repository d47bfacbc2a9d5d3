using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Unpack one artifact of a release (unsafe entries refuse the archive before anything is written).</summary>
public sealed record ExtractArtifact(string Archive, string Destination) : DeployStep
{
    public override string Describe() => $"extract {Path.GetFileName(Archive)} to {Destination}";
}
