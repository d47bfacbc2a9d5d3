namespace MeshHook.Build.Engine.Planning;

/// <summary>
/// Computes what runs and in which order: the invoked targets plus their transitive execution dependencies plus triggered
/// targets (to a fixpoint), ordered topologically by every edge among the scheduled targets, ties broken by declaration order.
/// </summary>
public static class ExecutionPlanner
{
    public static IReadOnlyList<ExecutableTarget> Plan(TargetGraph graph, IReadOnlyList<ExecutableTarget> invoked)
    {
        var scheduled = new HashSet<ExecutableTarget>();
        var pending = new Queue<ExecutableTarget>(invoked);
        while (pending.Count > 0)
        {
            var target = pending.Dequeue();
            if (!scheduled.Add(target))
                continue;
            foreach (var next in target.ExecutionDependencies.Concat(target.Triggers))
                pending.Enqueue(next);
        }

        // Kahn's algorithm; the ready set is kept in declaration order so ties resolve deterministically.
        var remaining = scheduled.ToDictionary(x => x, x => TargetGraph.Predecessors(x).Count(scheduled.Contains));
        var ready = new SortedSet<ExecutableTarget>(remaining.Where(x => x.Value == 0).Select(x => x.Key), ByDeclaration);
        var plan = new List<ExecutableTarget>();
        while (ready.Count > 0)
        {
            var target = ready.Min!;
            ready.Remove(target);
            plan.Add(target);
            foreach (var successor in scheduled.Where(x => TargetGraph.Predecessors(x).Contains(target)))
            {
                if (--remaining[successor] == 0)
                    ready.Add(successor);
            }
        }

        if (plan.Count != scheduled.Count)
            throw new BuildConfigurationException("The targets form a cycle: " +
                                                  string.Join(", ", scheduled.Except(plan).Select(x => x.Name)) + ".");
        return plan;
    }

    /// <summary>
    /// Marks skipped targets: those named by --skip (or, for a bare --skip, every target that was not invoked), then the
    /// cascade: a skipped target's dependencies that no other scheduled, non-skipped target needs are skipped as well,
    /// unless the skipped target says WhenSkipped(Execute).
    /// </summary>
    public static void ApplySkips(IReadOnlyList<ExecutableTarget> plan, IReadOnlyCollection<ExecutableTarget> skipped, string note)
    {
        foreach (var target in plan.Where(skipped.Contains))
            MarkSkipped(target, note);
        Cascade(plan);
    }

    public static void MarkSkipped(ExecutableTarget target, string note)
    {
        target.Status = ExecutionStatus.Skipped;
        target.Note = note;
    }

    public static void Cascade(IReadOnlyList<ExecutableTarget> plan)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var dependency in plan.Where(x => x.Status == ExecutionStatus.Scheduled && !x.Invoked))
            {
                var dependents = plan.Where(x => x.ExecutionDependencies.Contains(dependency)).ToList();
                if (dependents.Count == 0 || dependency.TriggeredBy.Any(plan.Contains))
                    continue;
                var allSkipped = dependents.All(x => x.Status == ExecutionStatus.Skipped && x.SkippedBehavior == DependencyBehavior.Skip);
                if (!allSkipped)
                    continue;
                MarkSkipped(dependency, "Skipped: dependency of skipped target" +
                                        (dependents.Count == 1 ? " " + dependents[0].Name : "s " + string.Join(", ", dependents)));
                changed = true;
            }
        } while (changed);
    }

    static readonly Comparer<ExecutableTarget> ByDeclaration =
        Comparer<ExecutableTarget>.Create((a, b) => a.DeclarationIndex.CompareTo(b.DeclarationIndex));
}
