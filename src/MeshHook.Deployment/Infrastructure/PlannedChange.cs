namespace MeshHook.Deployment.Infrastructure;

/// <summary>One entry of <c>resource_changes</c> of a JSON plan.</summary>
public sealed record PlannedChange(string Address, string Type, string Mode, PlannedAction Action)
{
    public bool IsReplace => Action is PlannedAction.ReplaceDestroyFirst or PlannedAction.ReplaceCreateFirst;

    /// <summary>The resource is destroyed: deleted, or replaced (its data does not move to the new one).</summary>
    public bool Destroys => Action == PlannedAction.Delete || IsReplace;

    /// <summary>The plan changes something about this resource (reads and no-ops do not).</summary>
    public bool IsChange => Action is not (PlannedAction.NoOp or PlannedAction.Read);

    public string ActionText => Action switch
    {
        PlannedAction.NoOp => "no-op",
        PlannedAction.Read => "read",
        PlannedAction.Create => "create",
        PlannedAction.Update => "update",
        PlannedAction.ReplaceDestroyFirst => "replace (destroy, then create)",
        PlannedAction.ReplaceCreateFirst => "replace (create, then destroy)",
        PlannedAction.Delete => "delete",
        PlannedAction.Forget => "forget",
        _ => Action.ToString(),
    };
}
