using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>A secret is missing, unreadable or refused; the message names it and says how to set it (never its value).</summary>
public sealed class SecretException(string message, Exception? inner = null) : UserFacingException(message, inner);
