using MeshHook.Tooling;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>A Terraform run that must stop, with a message meant for the person running it (what happened, what to do).</summary>
public sealed class InfrastructureException(string message) : UserFacingException(message);
