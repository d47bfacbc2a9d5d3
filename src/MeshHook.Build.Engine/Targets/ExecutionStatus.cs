namespace MeshHook.Build.Engine;

public enum ExecutionStatus
{
    Scheduled,
    NotRun,
    Skipped,
    Succeeded,
    Failed,
    Running,
    Aborted,

    /// <summary>A target without actions of its own (it only groups dependencies) that completed.</summary>
    Collective,
}
