using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Wait until a TCP port accepts connections (a database or proxy that has no /health).</summary>
public sealed record WaitForPort(string Name, int Port, TimeSpan Timeout) : DeployStep
{
    public override string Describe() => $"wait up to {Timeout.TotalSeconds:0} s for {Name} on 127.0.0.1:{Port}";
}
