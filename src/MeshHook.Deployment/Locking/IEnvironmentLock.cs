namespace MeshHook.Deployment.Locking;

/// <summary>
/// One deployer at a time per environment, wherever the environment's state lives: a file for <c>local</c>
/// (<see cref="EnvironmentLock"/>), a blob lease for the cloud, a file on the first host for SSH. Every kind has the same
/// semantics: an exclusive holder whose details (<see cref="LockHolder"/>) anyone can read, stale-holder detection and
/// take-over with a warning, and an optional wait (<c>--lock-wait</c>) measured on the injected clock.
/// </summary>
public interface IEnvironmentLock
{
    /// <summary>Where the lock is, for messages: a path or a blob URL (never a credential).</summary>
    string Location { get; }

    /// <summary>
    /// Takes the lock for <paramref name="holder"/>, waiting up to <paramref name="wait"/> for a live holder to release it;
    /// throws <see cref="LockHeldException"/> naming the holder when it cannot. Returns warnings to show (stale take-overs).
    /// A lock that must be kept alive (a lease) is renewed by the implementation until <see cref="ReleaseAsync"/>.
    /// </summary>
    Task<IReadOnlyList<string>> AcquireAsync(LockHolder holder, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Releases the lock if <paramref name="deploymentId"/> still holds it; otherwise changes nothing.</summary>
    Task ReleaseAsync(string deploymentId, CancellationToken cancellationToken);

    /// <summary>The current holder, or null when the lock is free (Status, Unlock).</summary>
    Task<LockHolder?> ReadHolderAsync(CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="holder"/> is gone (its process ended, its lease expired), so the lock may be taken over.</summary>
    Task<bool> IsStaleAsync(LockHolder holder, CancellationToken cancellationToken);

    /// <summary>Removes the lock whoever holds it (Unlock, by hand). Returns the holder it removed, if any.</summary>
    Task<LockHolder?> ForceReleaseAsync(CancellationToken cancellationToken);
}
