using MeshHook.Tooling;

namespace MeshHook.Deployment.Images;

/// <summary>Images cannot be built or pushed as asked; the message says why and what to do. Nothing was pushed.</summary>
public class ImageException(string message) : UserFacingException(message);

/// <summary>The Docker client is there but no daemon answers: nothing was built; the message names <c>az acr build</c>.</summary>
public sealed class DockerDaemonUnavailableException(string message) : ImageException(message);
