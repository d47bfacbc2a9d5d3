namespace MeshHook.Deployment.Reporting;

/// <summary>What a deployment's outcome means for the DORA figures.</summary>
public enum OutcomeCategory
{
    /// <summary>It ended healthy (succeeded).</summary>
    Success,

    /// <summary>It failed, or was rolled back (automatically, or later by a Rollback).</summary>
    ChangeFailure,

    /// <summary>Cancelled, aborted (the run was killed), no change, or an outcome this report does not know: counted neither way.</summary>
    NotCounted,

    /// <summary>No outcome in the journal yet: running, or its run was killed and nothing closed it yet.</summary>
    Unfinished,
}
