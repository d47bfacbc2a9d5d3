using System.Text;
using System.Text.Json;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>
/// What a saved plan would do, read from <c>terraform show -json PLANFILE</c> (Terraform's JSON plan format,
/// format_version 1.x): the resource changes by action, and the root variables the plan was made with.
/// </summary>
public sealed class TerraformPlanSummary
{
    TerraformPlanSummary(IReadOnlyList<PlannedChange> resources, IReadOnlyDictionary<string, string> variables, string? terraformVersion)
    {
        Resources = resources;
        Variables = variables;
        TerraformVersion = terraformVersion;
    }

    /// <summary>Every entry of resource_changes, in the plan's order (no-ops and reads included).</summary>
    public IReadOnlyList<PlannedChange> Resources { get; }

    /// <summary>The changes that do something (no no-ops, no reads), sorted by action, then address.</summary>
    public IReadOnlyList<PlannedChange> Changes =>
        Resources.Where(x => x.IsChange).OrderBy(x => Order(x.Action)).ThenBy(x => x.Address, StringComparer.Ordinal).ToList();

    /// <summary>Root variables with a plain string value (other types and sensitive ones are left out).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    public string? TerraformVersion { get; }

    public int Creates => Count(PlannedAction.Create);
    public int Updates => Count(PlannedAction.Update);
    public int Replaces => Resources.Count(x => x.IsReplace);
    public int Deletes => Count(PlannedAction.Delete);
    public int Forgets => Count(PlannedAction.Forget);
    public int Reads => Count(PlannedAction.Read);

    public bool HasChanges => Resources.Any(x => x.IsChange);

    public static TerraformPlanSummary Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new InfrastructureException($"terraform show -json did not print a JSON plan: {exception.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InfrastructureException("terraform show -json did not print a JSON plan (expected an object).");
            var format = root.TryGetProperty("format_version", out var formatElement) ? formatElement.GetString() : null;
            if (format is null || !format.StartsWith("1.", StringComparison.Ordinal))
                throw new InfrastructureException(
                    $"The JSON plan has format_version '{format ?? "(none)"}'; this build reads format 1.x (Terraform 1.x).");

            var resources = new List<PlannedChange>();
            if (root.TryGetProperty("resource_changes", out var changes) && changes.ValueKind == JsonValueKind.Array)
            {
                foreach (var change in changes.EnumerateArray())
                    resources.Add(ReadChange(change));
            }

            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("variables", out var variablesElement) && variablesElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var variable in variablesElement.EnumerateObject())
                {
                    if (variable.Value.ValueKind == JsonValueKind.Object &&
                        variable.Value.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
                        variables[variable.Name] = value.GetString()!;
                }
            }

            var version = root.TryGetProperty("terraform_version", out var versionElement) ? versionElement.GetString() : null;
            return new TerraformPlanSummary(resources, variables, version);
        }
    }

    /// <summary>One line: "2 to create, 1 to update, 1 to replace, 0 to delete".</summary>
    public string CountsText()
    {
        if (!HasChanges)
            return "no changes";
        var text = $"{Creates} to create, {Updates} to update, {Replaces} to replace, {Deletes} to delete";
        return Forgets > 0 ? text + $", {Forgets} to forget" : text;
    }

    /// <summary>The plan as a plain-text table for the log.</summary>
    public string ToTable(string environment, string? imageTag)
    {
        var text = new StringBuilder();
        text.Append($"Terraform plan for {environment}").Append(imageTag is null ? "" : $" (image tag {imageTag})").Append(": ")
            .AppendLine(CountsText() + ".");
        if (!HasChanges)
        {
            text.AppendLine($"The infrastructure of {environment} already matches the configuration.");
            return text.ToString();
        }

        var rows = Changes.Select(x => (Action: x.ActionText, x.Address, x.Type)).ToList();
        var actionWidth = Math.Max("ACTION".Length, rows.Max(x => x.Action.Length));
        var addressWidth = Math.Max("ADDRESS".Length, rows.Max(x => x.Address.Length));
        var typeWidth = Math.Max("TYPE".Length, rows.Max(x => x.Type.Length));
        var rule = $"{new string('-', actionWidth)}  {new string('-', addressWidth)}  {new string('-', typeWidth)}";
        text.AppendLine($"{"ACTION".PadRight(actionWidth)}  {"ADDRESS".PadRight(addressWidth)}  TYPE");
        text.AppendLine(rule);
        foreach (var row in rows)
            text.AppendLine($"{row.Action.PadRight(actionWidth)}  {row.Address.PadRight(addressWidth)}  {row.Type}");
        text.AppendLine(rule);
        return text.ToString();
    }

    /// <summary>The plan as Markdown for the GitHub Actions job summary.</summary>
    public string ToMarkdown(string environment, string? imageTag)
    {
        var text = new StringBuilder();
        text.AppendLine($"### Terraform plan: {environment}").AppendLine();
        if (imageTag is not null)
            text.AppendLine($"Image tag `{imageTag}`.").AppendLine();
        text.AppendLine("| Create | Update | Replace | Delete |").AppendLine("|---:|---:|---:|---:|")
            .AppendLine($"| {Creates} | {Updates} | {Replaces} | {Deletes} |").AppendLine();
        if (!HasChanges)
        {
            text.AppendLine($"No changes: the infrastructure of {environment} already matches the configuration.").AppendLine();
            return text.ToString();
        }

        text.AppendLine("| Action | Address | Type |").AppendLine("|---|---|---|");
        foreach (var change in Changes)
            text.AppendLine($"| {change.ActionText} | `{Cell(change.Address)}` | `{change.Type}` |");
        return text.AppendLine().ToString();
    }

    // A for_each key may hold a pipe, which would split the Markdown cell.
    static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    int Count(PlannedAction action) => Resources.Count(x => x.Action == action);

    static PlannedChange ReadChange(JsonElement change)
    {
        var address = String(change, "address") ?? throw new InfrastructureException("A resource change in the JSON plan has no address.");
        var type = String(change, "type") ?? "";
        var mode = String(change, "mode") ?? "managed";
        if (!change.TryGetProperty("change", out var body) || !body.TryGetProperty("actions", out var actionsElement) ||
            actionsElement.ValueKind != JsonValueKind.Array)
            throw new InfrastructureException($"The JSON plan's change of {address} has no actions.");
        var actions = actionsElement.EnumerateArray().Select(x => x.GetString() ?? "").ToArray();
        return new PlannedChange(address, type, mode, ToAction(address, actions));
    }

    static PlannedAction ToAction(string address, string[] actions) => actions switch
    {
        ["no-op"] => PlannedAction.NoOp,
        ["read"] => PlannedAction.Read,
        ["create"] => PlannedAction.Create,
        ["update"] => PlannedAction.Update,
        ["delete"] => PlannedAction.Delete,
        ["delete", "create"] => PlannedAction.ReplaceDestroyFirst,
        ["create", "delete"] => PlannedAction.ReplaceCreateFirst,
        ["forget"] => PlannedAction.Forget,
        _ => throw new InfrastructureException(
            $"The JSON plan has actions [{string.Join(", ", actions)}] for {address}, which this build does not know; " +
            "look at the plan with terraform show before applying it."),
    };

    static int Order(PlannedAction action) => action switch
    {
        PlannedAction.Create => 0,
        PlannedAction.Update => 1,
        PlannedAction.ReplaceCreateFirst => 2,
        PlannedAction.ReplaceDestroyFirst => 3,
        PlannedAction.Delete => 4,
        PlannedAction.Forget => 5,
        _ => 6,
    };

    static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
