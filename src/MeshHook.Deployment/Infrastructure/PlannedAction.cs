namespace MeshHook.Deployment.Infrastructure;

/// <summary>What a plan does to one resource, from <c>change.actions</c> of Terraform's JSON plan.</summary>
public enum PlannedAction
{
    /// <summary><c>["no-op"]</c>: unchanged.</summary>
    NoOp,

    /// <summary><c>["read"]</c>: a data source read during apply; changes nothing.</summary>
    Read,

    /// <summary><c>["create"]</c>.</summary>
    Create,

    /// <summary><c>["update"]</c>: changed in place.</summary>
    Update,

    /// <summary><c>["delete","create"]</c>: destroyed first, then created anew (the default replace).</summary>
    ReplaceDestroyFirst,

    /// <summary><c>["create","delete"]</c>: the new one is created before the old one is destroyed (create_before_destroy).</summary>
    ReplaceCreateFirst,

    /// <summary><c>["delete"]</c>.</summary>
    Delete,

    /// <summary><c>["forget"]</c>: removed from the state, left alone in the cloud.</summary>
    Forget,
}
