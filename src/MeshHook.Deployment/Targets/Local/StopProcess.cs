using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Stop a process: SIGTERM, a grace period for in-flight work, then SIGKILL.</summary>
public sealed record StopProcess(string Name, TimeSpan Grace) : DeployStep
{
    public override string Describe() => $"stop {Name} (SIGTERM, up to {Grace.TotalSeconds:0} s to finish in-flight work)";
}
