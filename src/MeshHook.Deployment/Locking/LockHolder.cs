namespace MeshHook.Deployment.Locking;

/// <summary>Who holds an environment's lock: written into the lock file by the holder.</summary>
public sealed record LockHolder(string DeploymentId, string Kind, string? Release, int Pid, long ProcessStartTicks, string Host, string User,
    DateTimeOffset StartedAt)
{
    public string Describe() =>
        $"{Kind} {DeploymentId}{(Release is null ? "" : $" of {Release}")} by {User}@{Host} (pid {Pid}) since {StartedAt:u}";
}
