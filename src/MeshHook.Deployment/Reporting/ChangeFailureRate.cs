namespace MeshHook.Deployment.Reporting;

/// <summary>DORA: the share of deploys that failed or had to be rolled back.</summary>
public sealed record ChangeFailureRate(int Failures, int Deployments)
{
    public const string Definition =
        "Deploys that failed, were rolled back automatically, or were later replaced by a Rollback, divided by all deploys " +
        "that finished in the window. Rollbacks themselves are remedies, not changes; cancelled, aborted (killed) and " +
        "no-change runs, and outcomes this report does not know, count neither as a success nor as a failure.";

    public double? Rate => Deployments > 0 ? (double)Failures / Deployments : null;
}
