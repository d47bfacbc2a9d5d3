using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Delete a release folder (retention); never the current, previous or last known-good one.</summary>
public sealed record RemoveRelease(string ReleaseId) : DeployStep
{
    public override string Describe() => $"remove releases/{ReleaseId} (retention)";
}
