namespace MeshHook.Deployment.Reporting;

/// <summary>What the environment looks like now: the release it serves, who holds its lock, its last failure.</summary>
public sealed record CurrentState
{
    public string? ServingRelease { get; init; }
    public string? ServingVersion { get; init; }

    /// <summary>The lock holder described (who, what, since when), or null when the environment is free.</summary>
    public string? LockHolder { get; init; }

    /// <summary>The lock was not read (a cloud lock is a blob lease: Status shows its holder).</summary>
    public bool LockNotRead { get; init; }

    /// <summary>The holder's process is gone: the next deploy (or Status) takes the lock over.</summary>
    public bool LockIsStale { get; init; }

    /// <summary>The newest change failure, with its error text (masked).</summary>
    public TimelineEntry? LastFailure { get; init; }
}
