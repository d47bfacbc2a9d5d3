namespace MeshHook.Deployment.Stages;

/// <summary>Executes the steps of a plan for one kind of target.</summary>
public interface IStepRunner
{
    Task RunAsync(DeployStep step, CancellationToken cancellationToken);
}
