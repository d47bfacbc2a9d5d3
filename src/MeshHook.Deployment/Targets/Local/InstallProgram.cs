using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Copy a built program into the environment's state (it then runs from there, untouched by later builds).</summary>
public sealed record InstallProgram(string Name, string Source, string Destination) : DeployStep
{
    public override string Describe() => $"install {Name} from {Source} to {Destination}";
}
