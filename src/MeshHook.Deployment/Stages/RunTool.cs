using MeshHook.Tooling;

namespace MeshHook.Deployment.Stages;

/// <summary>Run a program to completion (migrations, checks).</summary>
public sealed record RunTool(ToolCommand Command) : DeployStep
{
    public override string Describe() => "run " + Command.ToDisplayString();
}
