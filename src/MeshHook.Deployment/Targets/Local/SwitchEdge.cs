using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Point the edge (the stable URL) at a release's web process and confirm it took effect.</summary>
public sealed record SwitchEdge(string ReleaseId, Uri Upstream) : DeployStep
{
    public override string Describe() => $"switch the edge to {ReleaseId} at {Upstream}";
}
