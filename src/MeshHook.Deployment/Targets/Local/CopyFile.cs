using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Copy a file (the release's release.json next to its unpacked artifacts).</summary>
public sealed record CopyFile(string Source, string Destination) : DeployStep
{
    public override string Describe() => $"copy {Path.GetFileName(Source)} to {Destination}";
}
