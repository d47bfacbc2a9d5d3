namespace MeshHook.Build.Engine;

/// <summary>A target of this build with its resolved relations and its run state.</summary>
public sealed class ExecutableTarget
{
    internal ExecutableTarget(string name, int declarationIndex, TargetDefinition definition, string declaredIn)
    {
        Name = name;
        DeclarationIndex = declarationIndex;
        Definition = definition;
        DeclaredIn = declaredIn;
    }

    public string Name { get; }

    /// <summary>Order of declaration in the build class: breaks ties in the plan.</summary>
    public int DeclarationIndex { get; }

    public string DeclaredIn { get; }

    internal TargetDefinition Definition { get; }

    public string? Description => Definition.DescriptionText;
    public bool IsListed => !Definition.IsUnlisted;
    public bool IsAssured => Definition.Assured;
    public bool ProceedsAfterFailure => Definition.Proceeds;
    public DependencyBehavior SkippedBehavior => Definition.SkippedBehavior;
    public IReadOnlyList<string> Produces => Definition.ProducedGlobs;

    public List<ExecutableTarget> ExecutionDependencies { get; } = [];
    public List<ExecutableTarget> OrderDependencies { get; } = [];
    public List<ExecutableTarget> Triggers { get; } = [];
    public List<ExecutableTarget> TriggeredBy { get; } = [];
    public List<(ExecutableTarget Target, IReadOnlyList<string> Globs)> Consumes { get; } = [];

    public ExecutionStatus Status { get; internal set; } = ExecutionStatus.NotRun;
    public TimeSpan Duration { get; internal set; }

    /// <summary>Why the target was skipped or not run, shown in the summary (e.g. "Skipped: via parameter").</summary>
    public string? Note { get; internal set; }

    public bool Invoked { get; internal set; }

    public override string ToString() => Name;
}
