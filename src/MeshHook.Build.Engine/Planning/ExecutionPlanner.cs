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
        var waitsFor = ScheduledPredecessors(scheduled);
        var remaining = scheduled.ToDictionary(x => x, x => waitsFor[x].Count);
        var ready = new SortedSet<ExecutableTarget>(remaining.Where(x => x.Value == 0).Select(x => x.Key), ByDeclaration);
        var plan = new List<ExecutableTarget>();
        while (ready.Count > 0)
        {
            var target = ready.Min!;
            ready.Remove(target);
            plan.Add(target);
            foreach (var successor in scheduled.Where(x => waitsFor[x].Contains(target)))
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
    /// For each scheduled target, the scheduled targets it waits for: every path of execution, order (After/Before) and
    /// trigger edges counts, also a path through targets that are not scheduled. NUKE orders over the whole target graph,
    /// so C.After(B) and B.After(A) run A before C even when B is not part of the run.
    /// </summary>
    public static IReadOnlyDictionary<ExecutableTarget, IReadOnlyList<ExecutableTarget>> ScheduledPredecessors(
        IEnumerable<ExecutableTarget> scheduled)
    {
        var set = scheduled.ToHashSet();
        return set.ToDictionary(x => x, x => (IReadOnlyList<ExecutableTarget>)Reachable(x, set));

        static List<ExecutableTarget> Reachable(ExecutableTarget target, HashSet<ExecutableTarget> scheduled)
        {
            var found = new List<ExecutableTarget>();
            var visited = new HashSet<ExecutableTarget>();
            var stack = new Stack<ExecutableTarget>(TargetGraph.Predecessors(target));
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (!visited.Add(next))
                    continue;
                if (scheduled.Contains(next))
                {
                    found.Add(next); // what comes before it comes before this target too
                    continue;
                }
                foreach (var further in TargetGraph.Predecessors(next))
                    stack.Push(further);
            }
            return found;
        }
    }

    /// <summary>
    /// Marks skipped targets: those named by --skip (or, for a bare --skip, every target that was not invoked), then the
    /// cascade: a skipped target's dependencies that no other scheduled, non-skipped target needs are skipped as well,
    /// unless the skipped target says WhenSkipped(Execute).
    /// </summary>
    /// <summary>
    /// Applies --skip: the named targets, or for a bare --skip every target that is in the plan only as a dependency. As in
    /// NUKE, targets the user invoked, and triggered targets (NUKE schedules them as invoked), are not skipped by a bare
    /// --skip, and an invoked target named by --skip still runs (a Skip in a parameter file must not stop a target the user
    /// names). Returns a warning for each invoked target that --skip names.
    /// </summary>
    public static IReadOnlyList<string> ApplySkipParameter(IReadOnlyList<ExecutableTarget> plan, IReadOnlyCollection<ExecutableTarget>? named)
    {
        if (named is null)
            return [];
        var skipped = named.Count == 0
            ? plan.Where(x => !x.Invoked && !x.TriggeredBy.Any(plan.Contains)).ToList()
            : plan.Where(x => named.Contains(x) && !x.Invoked).ToList();
        ApplySkips(plan, skipped, "Skipped: via parameter");
        return named.Where(x => x.Invoked).Distinct()
            .Select(x => $"--skip names {x.Name}, which was invoked: it runs (invoked targets are never skipped).")
            .ToList();
    }

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
