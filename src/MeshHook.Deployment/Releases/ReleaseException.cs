using MeshHook.Tooling;

namespace MeshHook.Deployment.Releases;

/// <summary>A release is missing, malformed, altered or unsafe; the message says which and how to fix it.</summary>
public sealed class ReleaseException(string message) : UserFacingException(message);
