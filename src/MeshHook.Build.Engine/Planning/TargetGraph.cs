using System.Reflection;

namespace MeshHook.Build.Engine.Planning;

/// <summary>
/// Every target of a build instance, with dependencies, order and triggers resolved. Validates the definition: duplicate
/// names, self references and cycles are errors that name the targets involved.
/// </summary>
public sealed class TargetGraph
{
    TargetGraph(IReadOnlyList<ExecutableTarget> targets) => Targets = targets;

    /// <summary>All targets in declaration order.</summary>
    public IReadOnlyList<ExecutableTarget> Targets { get; }

    public ExecutableTarget? Find(string name) =>
        Targets.FirstOrDefault(x => Suggestions.Normalize(x.Name) == Suggestions.Normalize(name));

    public ExecutableTarget Get(string name) =>
        Find(name) ?? throw new BuildConfigurationException(
            $"Unknown target '{name}'.{Suggestions.DidYouMean(name, Targets.Select(x => x.Name))}" +
            $" Targets: {string.Join(", ", Targets.Where(x => x.IsListed).Select(x => x.Name))}.");

    public static TargetGraph Create(object build)
    {
        var members = TargetMembers(build.GetType());
        var targets = new List<ExecutableTarget>();
        var byMethod = new Dictionary<MethodInfo, ExecutableTarget>();

        foreach (var (property, declaredIn) in members)
        {
            var factory = (Target?)property.GetValue(build)
                          ?? throw new BuildConfigurationException($"Target '{property.Name}' in {declaredIn} is null.");
            var duplicate = targets.FirstOrDefault(x => Suggestions.Normalize(x.Name) == Suggestions.Normalize(property.Name));
            if (duplicate is not null)
                throw new BuildConfigurationException(
                    $"Target '{property.Name}' is defined twice: in {duplicate.DeclaredIn} and in {declaredIn}. Target names must be unique.");

            var definition = new TargetDefinition();
            factory(definition);
            var target = new ExecutableTarget(property.Name, targets.Count, definition, declaredIn);
            targets.Add(target);
            byMethod[factory.Method] = target;
        }

        ExecutableTarget Resolve(ExecutableTarget owner, TargetDefinition.TargetReference reference)
        {
            var target = reference(build);
            if (target is null || !byMethod.TryGetValue(target.Method, out var resolved))
                throw new BuildConfigurationException($"Target '{owner.Name}' refers to a target that is not a member of the build class.");
            if (resolved == owner)
                throw new BuildConfigurationException($"Target '{owner.Name}' refers to itself.");
            return resolved;
        }

        foreach (var target in targets)
        {
            var definition = target.Definition;
            foreach (var reference in definition.DependsOnTargets)
                AddOnce(target.ExecutionDependencies, Resolve(target, reference));
            foreach (var reference in definition.DependentForTargets)
                AddOnce(Resolve(target, reference).ExecutionDependencies, target);
            foreach (var reference in definition.AfterTargets)
                AddOnce(target.OrderDependencies, Resolve(target, reference));
            foreach (var reference in definition.BeforeTargets)
                AddOnce(Resolve(target, reference).OrderDependencies, target);
            foreach (var reference in definition.TriggersTargets)
                Link(target, Resolve(target, reference));
            foreach (var reference in definition.TriggeredByTargets)
                Link(Resolve(target, reference), target);
            foreach (var (reference, globs) in definition.ConsumedArtifacts)
                target.Consumes.Add((Resolve(target, reference), globs));
        }

        var graph = new TargetGraph(targets);
        graph.ThrowOnCycle();
        return graph;

        static void Link(ExecutableTarget trigger, ExecutableTarget triggered)
        {
            AddOnce(trigger.Triggers, triggered);
            AddOnce(triggered.TriggeredBy, trigger);
        }
    }

    /// <summary>Every edge that orders two targets: execution dependencies, After/Before, and trigger → triggered.</summary>
    public static IEnumerable<ExecutableTarget> Predecessors(ExecutableTarget target) =>
        target.ExecutionDependencies.Concat(target.OrderDependencies).Concat(target.TriggeredBy).Distinct();

    void ThrowOnCycle()
    {
        var state = new Dictionary<ExecutableTarget, int>(); // 1 = on the current path, 2 = done
        var path = new Stack<ExecutableTarget>();

        foreach (var target in Targets)
            Visit(target);

        void Visit(ExecutableTarget target)
        {
            if (state.TryGetValue(target, out var value))
            {
                if (value == 2)
                    return;
                var cycle = path.Reverse().SkipWhile(x => x != target).Append(target).Select(x => x.Name);
                throw new BuildConfigurationException($"The targets form a cycle: {string.Join(" -> ", cycle)}.");
            }
            state[target] = 1;
            path.Push(target);
            foreach (var predecessor in Predecessors(target))
                Visit(predecessor);
            path.Pop();
            state[target] = 2;
        }
    }

    static IEnumerable<(PropertyInfo Property, string DeclaredIn)> TargetMembers(Type type)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var classProperties = new List<PropertyInfo>();
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
            classProperties.InsertRange(0, current.GetProperties(flags | BindingFlags.DeclaredOnly)
                .Where(x => x.PropertyType == typeof(Target) && x.GetIndexParameters().Length == 0 && !IsExplicitImplementation(x))
                .OrderBy(x => x.MetadataToken));

        foreach (var property in classProperties)
            yield return (property, property.DeclaringType!.Name);

        // Default members of interfaces the build implements, unless the class implements them itself.
        foreach (var @interface in type.GetInterfaces())
        {
            var map = type.GetInterfaceMap(@interface);
            foreach (var property in @interface.GetProperties(flags | BindingFlags.DeclaredOnly)
                         .Where(x => x.PropertyType == typeof(Target))
                         .OrderBy(x => x.MetadataToken))
            {
                var index = Array.IndexOf(map.InterfaceMethods, property.GetMethod);
                var implementation = index >= 0 ? map.TargetMethods[index] : null;
                if (implementation is not null && implementation.DeclaringType != @interface && implementation.DeclaringType!.IsAssignableFrom(type)
                    && !implementation.DeclaringType.IsInterface && !implementation.Name.Contains('.'))
                    continue; // an implicit class property implements it and is listed above
                yield return (property, @interface.Name);
            }
        }
    }

    static bool IsExplicitImplementation(PropertyInfo property) => property.Name.Contains('.');

    static void AddOnce(List<ExecutableTarget> list, ExecutableTarget target)
    {
        if (!list.Contains(target))
            list.Add(target);
    }
}
