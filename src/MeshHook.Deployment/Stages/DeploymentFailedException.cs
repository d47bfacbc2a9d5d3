using MeshHook.Tooling;

namespace MeshHook.Deployment.Stages;

/// <summary>A deploy failed at a stage; the message says where, why, and what state the environment was left in.</summary>
public sealed class DeploymentFailedException(string message, string outcome, string? stage) : UserFacingException(message)
{
    public string Outcome { get; } = outcome;
    public string? Stage { get; } = stage;
}
