using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Start a long-running program detached, unless one of that name is already running.</summary>
public sealed record StartProcess(ProcessSpec Spec, bool KeepIfRunning = false) : DeployStep
{
    public override string Describe() => $"start {Spec.Name}{(KeepIfRunning ? " (unless running)" : "")}: {Spec.Describe()}";
}
