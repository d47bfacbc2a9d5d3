namespace MeshHook.Deployment.Stages;

/// <summary>
/// One effect of a deploy, described as data (Kamal's commands): a plan is a list of stages of steps that can be printed
/// (--dry-run) and checked in tests without running anything; one runner executes them.
/// </summary>
public abstract record DeployStep
{
    /// <summary>What the step does, in words a person reads in a dry run (never a secret value).</summary>
    public abstract string Describe();
}
