using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>Values that an env file cannot hold (invalid names, line breaks); nothing was written. Values are never quoted.</summary>
public sealed class EnvFileException(string message) : UserFacingException(message);
