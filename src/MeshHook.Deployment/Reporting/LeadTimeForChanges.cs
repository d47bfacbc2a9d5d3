namespace MeshHook.Deployment.Reporting;

/// <summary>DORA: how long a commit takes to run in the environment.</summary>
public sealed record LeadTimeForChanges(TimeSpan? Median, int Measured, int WithoutCommitTime)
{
    public const string Definition =
        "Median time from the commit time of a release's commit (read from git) to the end of its first successful deploy, " +
        "over the commits first deployed successfully in the window. A redeploy of a commit already deployed does not count; " +
        "a commit git does not know is left out (and counted below).";
}
