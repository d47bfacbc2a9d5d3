using System.Text;

namespace MeshHook.Deployment.Stages;

public enum DeploymentKind
{
    Deploy,
    Rollback,
}

/// <summary>
/// Everything a deploy or rollback will do, before it does it. <see cref="OnFailureBeforeSwitch"/> undoes a failure up
/// to the health check (stop the new processes; the old release keeps serving); <see cref="OnFailureAfterSwitch"/>
/// switches back to the previous release and verifies it.
/// </summary>
public sealed record DeploymentPlan(
    DeploymentKind Kind,
    string Environment,
    string ReleaseId,
    string? PreviousReleaseId,
    IReadOnlyList<Stage> Stages,
    IReadOnlyList<DeployStep> OnFailureBeforeSwitch,
    IReadOnlyList<DeployStep> OnFailureAfterSwitch)
{
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Kind} of {ReleaseId} to {Environment}" + (PreviousReleaseId is null ? " (first release)" : $" (now {PreviousReleaseId})") + ":");
        foreach (var stage in Stages)
        {
            text.AppendLine($"  {stage.Name}");
            foreach (var step in stage.Steps)
                text.AppendLine($"    - {step.Describe()}");
        }
        text.AppendLine("  if it fails before the switch:");
        foreach (var step in OnFailureBeforeSwitch)
            text.AppendLine($"    - {step.Describe()}");
        if (OnFailureAfterSwitch.Count > 0)
        {
            text.AppendLine("  if the verification after the switch fails (automatic rollback):");
            foreach (var step in OnFailureAfterSwitch)
                text.AppendLine($"    - {step.Describe()}");
        }
        return text.ToString();
    }
}
