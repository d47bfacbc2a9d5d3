using System.Diagnostics;
using System.Reflection;
using MeshHook.Build.Engine.Planning;
using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Execution;

/// <summary>
/// Runs a plan: each target once its predecessors are done, up to <c>maxParallel</c> at a time, in plan order. Dynamic
/// conditions are checked right before a target. A failure stops the build unless the target proceeds after failure (then
/// the following targets run, its dependents included);
/// targets that cannot run become NotRun, except assured ones, which run even after a failure or a cancellation.
/// </summary>
internal sealed class BuildExecutor(BuildContext context, IBuildEvents events, int maxParallel)
{
    public async Task ExecuteAsync(IReadOnlyList<ExecutableTarget> plan)
    {
        var log = context.Log;
        var pending = plan.ToList();
        var waitsFor = ExecutionPlanner.ScheduledPredecessors(plan);
        var finished = new HashSet<ExecutableTarget>();
        var running = new Dictionary<Task, ExecutableTarget>();
        var stopping = false;
        var runnable = plan.Count(x => x.Status == ExecutionStatus.Scheduled);
        log.PrefixTargets = maxParallel > 1 && runnable > 1;
        log.PrefixWidth = plan.Select(x => x.Name.Length).DefaultIfEmpty(0).Max();

        while (pending.Count > 0 || running.Count > 0)
        {
            foreach (var target in pending.ToList())
            {
                if (!waitsFor[target].All(finished.Contains))
                    continue;

                var cancelled = context.BuildCancellation.IsCancellationRequested;
                if (target.Status == ExecutionStatus.Skipped)
                {
                    events.TargetSkipped(target.Name);
                }
                else if ((stopping || cancelled) && !target.IsAssured)
                {
                    target.Status = ExecutionStatus.NotRun;
                }
                else if (!target.IsAssured && target.ExecutionDependencies.FirstOrDefault(d => plan.Contains(d) && IsUnsuccessful(d)) is { } failed)
                {
                    target.Status = ExecutionStatus.NotRun;
                    target.Note = $"NotRun: dependency {failed.Name} {failed.Status.ToString().ToLowerInvariant()}";
                }
                else if (running.Count < maxParallel)
                {
                    target.Status = ExecutionStatus.Running;
                    running[Task.Run(() => RunAsync(target, cancelled))] = target;
                }
                else
                {
                    break;
                }

                pending.Remove(target);
                if (target.Status != ExecutionStatus.Running)
                    finished.Add(target);
            }

            if (running.Count == 0)
            {
                if (pending.Count > 0 && pending.All(x => !waitsFor[x].All(finished.Contains)))
                    throw new InvalidOperationException("The plan cannot make progress; this is a bug in the engine.");
                continue;
            }

            var done = await Task.WhenAny(running.Keys);
            var completed = running[done];
            running.Remove(done);
            finished.Add(completed);
            if (completed.Status is ExecutionStatus.Failed or ExecutionStatus.Aborted && !completed.ProceedsAfterFailure)
                stopping = true;
        }
    }

    // A failed target that proceeds after failure does not hold back its dependents: the build goes on, as in NUKE.
    static bool IsUnsuccessful(ExecutableTarget target) =>
        target.Status is ExecutionStatus.Aborted or ExecutionStatus.NotRun ||
        target.Status == ExecutionStatus.Failed && !target.ProceedsAfterFailure;

    async Task RunAsync(ExecutableTarget target, bool afterCancellation)
    {
        var log = context.Log;
        var buffered = log.PrefixTargets && context.Host.BuffersParallelTargets;
        BuildLog.CurrentTarget = target.Name;
        // Assured targets that run after Ctrl+C get a token of their own; a second Ctrl+C ends the process.
        BuildContext.SetTargetToken(afterCancellation ? CancellationToken.None : null);
        if (buffered)
            log.BeginBuffer(target.Name);
        else if (log.Verbosity >= Verbosity.Minimal)
            log.WriteBlock(Environment.NewLine + context.Host.TargetHeader(target.Name) + Environment.NewLine);

        var started = context.Time.GetTimestamp();
        try
        {
            var unmet = target.Definition.DynamicConditions.FirstOrDefault(x => !x.Evaluate());
            if (unmet is not null)
            {
                target.Status = ExecutionStatus.Skipped;
                target.Note = "OnlyWhen: " + unmet.Text;
                log.Write(LogLevel.Information, $"Skipping {target.Name}: condition '{unmet.Text}' is false.");
                events.TargetSkipped(target.Name);
                return;
            }

            events.TargetRunning(target.Name);
            foreach (var action in target.Definition.Actions)
                await action();
            target.Status = target.Definition.Actions.Count == 0 ? ExecutionStatus.Collective : ExecutionStatus.Succeeded;
            target.Duration = context.Time.GetElapsedTime(started);
            events.TargetSucceeded(target.Name);
        }
        catch (Exception exception) when (IsCancellation(exception) && context.CancellationToken.IsCancellationRequested)
        {
            target.Status = ExecutionStatus.Aborted;
            target.Duration = context.Time.GetElapsedTime(started);
            log.Write(LogLevel.Error, $"Target {target.Name} was aborted.");
            events.TargetFailed(target.Name);
        }
        catch (Exception exception)
        {
            target.Status = ExecutionStatus.Failed;
            target.Duration = context.Time.GetElapsedTime(started);
            var error = Unwrap(exception);
            var message = error is UserFacingException or BuildConfigurationException or TargetFailedException
                ? error.Message
                : $"{error.GetType().Name}: {error.Message}";
            log.Write(LogLevel.Error, $"Target {target.Name} failed: {message}");
            log.Write(LogLevel.Debug, error.ToString());
            if (context.Host.FormatFailure(target.Name, context.Masker.Apply(message)) is { } annotation)
                log.WriteBlock(annotation + Environment.NewLine);
            events.TargetFailed(target.Name);
        }
        finally
        {
            var lines = buffered ? log.EndBuffer(target.Name) : [];
            if (buffered)
                log.WriteBlock(string.Join(Environment.NewLine,
                    new[] { context.Host.TargetHeader(target.Name) }.Concat(lines)) + Environment.NewLine);
            if (context.Host.TargetFooter(target.Name) is { } footer)
                log.WriteBlock(footer + Environment.NewLine);
            BuildLog.CurrentTarget = null;
        }
    }

    static bool IsCancellation(Exception exception) => Unwrap(exception) is OperationCanceledException;

    static Exception Unwrap(Exception exception)
    {
        while (exception is TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && exception.InnerException is not null)
            exception = exception.InnerException;
        return exception;
    }
}

/// <summary>Lifecycle notifications raised while a plan runs (the build class's On* hooks).</summary>
internal interface IBuildEvents
{
    void TargetRunning(string target);
    void TargetSkipped(string target);
    void TargetSucceeded(string target);
    void TargetFailed(string target);
}
