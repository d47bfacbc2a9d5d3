namespace MeshHook.Deployment.Reporting;

/// <summary>DORA: how often a change reaches the environment.</summary>
public sealed record DeploymentFrequency(int Deployments, double Days)
{
    public const string Definition =
        "Successful deploys (not rollbacks) that finished in the window, divided by the window's length in days.";

    public double PerDay => Days > 0 ? Deployments / Days : 0;

    public double PerWeek => PerDay * 7;
}
