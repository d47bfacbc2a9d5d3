using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace MeshHook.Build.Engine;

/// <summary>The fluent surface for defining a target, with NUKE's names and meanings.</summary>
public interface ITargetDefinition
{
    ITargetDefinition Description(string description);

    ITargetDefinition Executes(params Action[] actions);

    ITargetDefinition Executes(Func<Task> action);

    ITargetDefinition Executes<T>(Func<T> action);

    /// <summary>These targets run before this one (execution dependencies: they are added to the plan).</summary>
    ITargetDefinition DependsOn(params Target[] targets);

    ITargetDefinition DependsOn<T>(params Func<T, Target>[] targets);

    /// <summary>This target runs before the given ones, which depend on it.</summary>
    ITargetDefinition DependentFor(params Target[] targets);

    ITargetDefinition DependentFor<T>(params Func<T, Target>[] targets);

    /// <summary>Order only: when both are scheduled, this target runs after the given ones.</summary>
    ITargetDefinition After(params Target[] targets);

    ITargetDefinition After<T>(params Func<T, Target>[] targets);

    /// <summary>Order only: when both are scheduled, this target runs before the given ones.</summary>
    ITargetDefinition Before(params Target[] targets);

    ITargetDefinition Before<T>(params Func<T, Target>[] targets);

    /// <summary>The given targets are scheduled to run after this one.</summary>
    ITargetDefinition Triggers(params Target[] targets);

    ITargetDefinition Triggers<T>(params Func<T, Target>[] targets);

    /// <summary>This target is scheduled to run after any of the given ones.</summary>
    ITargetDefinition TriggeredBy(params Target[] targets);

    ITargetDefinition TriggeredBy<T>(params Func<T, Target>[] targets);

    /// <summary>Checked before anything runs; false skips this target (and, by default, its dependencies).</summary>
    ITargetDefinition OnlyWhenStatic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? text = null);

    /// <summary>Checked right before this target runs; false skips it.</summary>
    ITargetDefinition OnlyWhenDynamic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? text = null);

    /// <summary>The member (a parameter) must not be null or empty when this target is scheduled.</summary>
    ITargetDefinition Requires<T>(params Expression<Func<T?>>[] members) where T : class;

    /// <summary>The condition must hold when this target is scheduled.</summary>
    ITargetDefinition Requires(params Expression<Func<bool>>[] conditions);

    ITargetDefinition WhenSkipped(DependencyBehavior behavior);

    /// <summary>A failure of this target does not stop the build (the build still fails).</summary>
    ITargetDefinition ProceedAfterFailure();

    /// <summary>This target runs even after another target failed or the build was cancelled.</summary>
    ITargetDefinition AssuredAfterFailure();

    /// <summary>Not listed by --help (still invocable).</summary>
    ITargetDefinition Unlisted();

    /// <summary>Files this target produces (globs relative to the root): published as artifacts by generated CI.</summary>
    ITargetDefinition Produces(params string[] globs);

    /// <summary>Files of another target this one needs (handed over between CI jobs).</summary>
    ITargetDefinition Consumes(Target target, params string[] globs);

    ITargetDefinition Consumes<T>(Func<T, Target> target, params string[] globs);
}
