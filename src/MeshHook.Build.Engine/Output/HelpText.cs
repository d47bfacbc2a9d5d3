using System.Text;
using MeshHook.Build.Engine.Parameters;

namespace MeshHook.Build.Engine;

/// <summary>What <c>--help</c> prints: targets with descriptions and dependencies, then parameters and built-in options.</summary>
public static class HelpText
{
    public static string Render(IReadOnlyList<ExecutableTarget> targets, IReadOnlyList<string> defaultTargets,
        IReadOnlyList<ParameterDescriptor> parameters)
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: ./build.sh [targets] [--parameter value ...]");
        text.AppendLine();
        text.AppendLine("Targets (→ depends on):");
        var listed = targets.Where(x => x.IsListed).ToList();
        var width = listed.Select(x => x.Name.Length + (defaultTargets.Contains(x.Name) ? 10 : 0)).DefaultIfEmpty(0).Max() + 2;
        foreach (var target in listed)
        {
            var name = target.Name + (defaultTargets.Contains(target.Name) ? " (default)" : string.Empty);
            var line = "  " + name.PadRight(width) + (target.Description ?? string.Empty);
            if (target.ExecutionDependencies.Count > 0)
                line += (target.Description is null ? string.Empty : " ") + "→ " + string.Join(", ", target.ExecutionDependencies.Select(x => x.Name));
            text.AppendLine(line.TrimEnd());
        }

        text.AppendLine();
        text.AppendLine("Parameters:");
        AppendParameters(text, parameters.Where(x => !x.IsBuiltIn).ToList());
        text.AppendLine();
        text.AppendLine("Built-in options:");
        AppendParameters(text, parameters.Where(x => x.IsBuiltIn).ToList());
        text.AppendLine();
        text.AppendLine("Parameters also come from environment variables (API_KEY or NUKE_API_KEY for --api-key) and from");
        text.AppendLine(".nuke/parameters.json and .nuke/parameters.<profile>.json (--profile); the command line wins.");
        return text.ToString();
    }

    static void AppendParameters(StringBuilder text, IReadOnlyList<ParameterDescriptor> parameters)
    {
        if (parameters.Count == 0)
        {
            text.AppendLine("  (none)");
            return;
        }
        var rows = parameters.Select(x => (Name: x.CommandLineName + (x.IsFlag ? string.Empty : $" <{ParameterConverter.Describe(x)}>"), Parameter: x)).ToList();
        var width = Math.Min(rows.Max(x => x.Name.Length) + 2, 48);
        foreach (var (name, parameter) in rows)
        {
            var notes = new List<string>();
            if (parameter.IsSecret)
                notes.Add("secret");
            if (parameter.IsRequired)
                notes.Add("required");
            var description = (parameter.Description ?? string.Empty) + (notes.Count > 0 ? $" [{string.Join(", ", notes)}]" : string.Empty);
            text.AppendLine(("  " + (name.Length < width ? name.PadRight(width) : name + " ") + description).TrimEnd()); // a long name keeps a space
        }
    }

    public static string RenderPlan(IReadOnlyList<ExecutableTarget> plan)
    {
        var text = new StringBuilder();
        text.AppendLine($"Plan ({plan.Count} target{(plan.Count == 1 ? string.Empty : "s")}, in order):");
        var width = plan.Select(x => x.Name.Length).DefaultIfEmpty(0).Max() + 2;
        for (var i = 0; i < plan.Count; i++)
        {
            var target = plan[i];
            var details = new List<string>();
            var dependencies = target.ExecutionDependencies.Where(plan.Contains).Select(x => x.Name).ToList();
            if (dependencies.Count > 0)
                details.Add("after " + string.Join(", ", dependencies));
            var triggeredBy = target.TriggeredBy.Where(plan.Contains).Select(x => x.Name).ToList();
            if (triggeredBy.Count > 0)
                details.Add("triggered by " + string.Join(", ", triggeredBy));
            if (target.Invoked)
                details.Add("invoked");
            if (target.Status == ExecutionStatus.Skipped)
                details.Add(target.Note ?? "skipped");
            text.AppendLine($"  {i + 1,2}. {target.Name.PadRight(width)}{(details.Count > 0 ? "(" + string.Join("; ", details) + ")" : string.Empty)}".TrimEnd());
        }
        return text.ToString();
    }
}
