using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Point <c>current</c> at a release (new symlink renamed over the old one: atomic).</summary>
public sealed record SwitchCurrent(string ReleaseId) : DeployStep
{
    public override string Describe() => $"point current at releases/{ReleaseId}";
}
