namespace MeshHook.Deployment.Reporting;

/// <summary>DORA (failed deployment recovery time): how long it takes to get healthy again after a change failure.</summary>
public sealed record TimeToRestore(TimeSpan? Median, int Restored, int NotRestored)
{
    public const string Definition =
        "Median time from a failure to the end of the next healthy deploy or rollback, over the change failures in the window. " +
        "The failure is when its stage failed (a deploy replaced by a Rollback: when it went live); a deploy rolled back " +
        "automatically is restored when that rollback is verified. Failures nothing has restored yet are counted below.";
}
