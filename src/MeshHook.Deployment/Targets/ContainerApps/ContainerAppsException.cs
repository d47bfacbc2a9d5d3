using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// A Container Apps call that failed, in words for the person deploying: what was asked, of which resource, ARM's error
/// code and message, and what to do about it.
/// </summary>
public sealed class ContainerAppsException(string message, string? code = null, int? status = null, string? resource = null, Exception? inner = null)
    : UserFacingException(message, inner)
{
    /// <summary>ARM's error code (e.g. AuthorizationFailed, ContainerAppOperationError), when it sent one.</summary>
    public string? Code { get; } = code;

    /// <summary>The HTTP status, when the failure was an answer from ARM.</summary>
    public int? Status { get; } = status;

    /// <summary>The ARM id (or name) of the resource concerned.</summary>
    public string? Resource { get; } = resource;
}
