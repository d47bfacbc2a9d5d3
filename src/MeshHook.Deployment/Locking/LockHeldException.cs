using MeshHook.Tooling;

namespace MeshHook.Deployment.Locking;

/// <summary>Another live deploy holds the environment; nothing was changed.</summary>
public sealed class LockHeldException(string message, LockHolder? holder) : UserFacingException(message)
{
    public LockHolder? Holder { get; } = holder;
}
