using System.Linq.Expressions;

namespace MeshHook.Build.Engine;

/// <summary>What a target's fluent definition recorded; turned into an <see cref="ExecutableTarget"/> by the graph.</summary>
internal sealed class TargetDefinition : ITargetDefinition
{
    /// <summary>A reference to another target, resolved against the build instance once all targets are known.</summary>
    internal delegate Target TargetReference(object build);

    public string? DescriptionText { get; private set; }
    public List<Func<Task>> Actions { get; } = [];
    public List<TargetReference> DependsOnTargets { get; } = [];
    public List<TargetReference> DependentForTargets { get; } = [];
    public List<TargetReference> AfterTargets { get; } = [];
    public List<TargetReference> BeforeTargets { get; } = [];
    public List<TargetReference> TriggersTargets { get; } = [];
    public List<TargetReference> TriggeredByTargets { get; } = [];
    public List<Condition> StaticConditions { get; } = [];
    public List<Condition> DynamicConditions { get; } = [];
    public List<Requirement> Requirements { get; } = [];
    public DependencyBehavior SkippedBehavior { get; private set; } = DependencyBehavior.Skip;
    public bool Proceeds { get; private set; }
    public bool Assured { get; private set; }
    public bool IsUnlisted { get; private set; }
    public List<string> ProducedGlobs { get; } = [];
    public List<(TargetReference Target, string[] Globs)> ConsumedArtifacts { get; } = [];

    public ITargetDefinition Description(string description) => Set(() => DescriptionText = description);

    public ITargetDefinition Executes(params Action[] actions) =>
        Set(() => Actions.AddRange(actions.Select(action => (Func<Task>)(() => { action(); return Task.CompletedTask; }))));

    public ITargetDefinition Executes(Func<Task> action) => Set(() => Actions.Add(action));

    public ITargetDefinition Executes<T>(Func<T> action) =>
        Set(() => Actions.Add(async () =>
        {
            var result = action();
            if (result is Task task)
                await task;
        }));

    public ITargetDefinition DependsOn(params Target[] targets) => Add(DependsOnTargets, targets);
    public ITargetDefinition DependsOn<T>(params Func<T, Target>[] targets) => Add(DependsOnTargets, targets);
    public ITargetDefinition DependentFor(params Target[] targets) => Add(DependentForTargets, targets);
    public ITargetDefinition DependentFor<T>(params Func<T, Target>[] targets) => Add(DependentForTargets, targets);
    public ITargetDefinition After(params Target[] targets) => Add(AfterTargets, targets);
    public ITargetDefinition After<T>(params Func<T, Target>[] targets) => Add(AfterTargets, targets);
    public ITargetDefinition Before(params Target[] targets) => Add(BeforeTargets, targets);
    public ITargetDefinition Before<T>(params Func<T, Target>[] targets) => Add(BeforeTargets, targets);
    public ITargetDefinition Triggers(params Target[] targets) => Add(TriggersTargets, targets);
    public ITargetDefinition Triggers<T>(params Func<T, Target>[] targets) => Add(TriggersTargets, targets);
    public ITargetDefinition TriggeredBy(params Target[] targets) => Add(TriggeredByTargets, targets);
    public ITargetDefinition TriggeredBy<T>(params Func<T, Target>[] targets) => Add(TriggeredByTargets, targets);

    public ITargetDefinition OnlyWhenStatic(Func<bool> condition, string? text = null) =>
        Set(() => StaticConditions.Add(new Condition(condition, Clean(text))));

    public ITargetDefinition OnlyWhenDynamic(Func<bool> condition, string? text = null) =>
        Set(() => DynamicConditions.Add(new Condition(condition, Clean(text))));

    public ITargetDefinition Requires<T>(params Expression<Func<T?>>[] members) where T : class =>
        Set(() => Requirements.AddRange(members.Select(Requirement.ForMember)));

    public ITargetDefinition Requires(params Expression<Func<bool>>[] conditions) =>
        Set(() => Requirements.AddRange(conditions.Select(Requirement.ForCondition)));

    public ITargetDefinition WhenSkipped(DependencyBehavior behavior) => Set(() => SkippedBehavior = behavior);
    public ITargetDefinition ProceedAfterFailure() => Set(() => Proceeds = true);
    public ITargetDefinition AssuredAfterFailure() => Set(() => Assured = true);
    public ITargetDefinition Unlisted() => Set(() => IsUnlisted = true);
    public ITargetDefinition Produces(params string[] globs) => Set(() => ProducedGlobs.AddRange(globs));

    public ITargetDefinition Consumes(Target target, params string[] globs) =>
        Set(() => ConsumedArtifacts.Add((_ => target, globs)));

    public ITargetDefinition Consumes<T>(Func<T, Target> target, params string[] globs) =>
        Set(() => ConsumedArtifacts.Add((build => target(Cast<T>(build)), globs)));

    ITargetDefinition Add(List<TargetReference> list, Target[] targets)
    {
        list.AddRange(targets.Select(target => (TargetReference)(_ => target)));
        return this;
    }

    ITargetDefinition Add<T>(List<TargetReference> list, Func<T, Target>[] targets)
    {
        list.AddRange(targets.Select(target => (TargetReference)(build => target(Cast<T>(build)))));
        return this;
    }

    static T Cast<T>(object build) =>
        build is T typed
            ? typed
            : throw new BuildConfigurationException($"The build class does not implement {typeof(T).Name}, which a target refers to.");

    ITargetDefinition Set(Action action)
    {
        action();
        return this;
    }

    static string Clean(string? text) => string.IsNullOrWhiteSpace(text) ? "<condition>" : text.Replace("() => ", string.Empty).Trim();
}

internal sealed record Condition(Func<bool> Evaluate, string Text);
