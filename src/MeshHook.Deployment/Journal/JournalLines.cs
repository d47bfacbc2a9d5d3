using System.Text.Json;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Journal;

/// <summary>
/// The journal's line format, the same for every place a journal is kept (file, append blob, a host over SSH): one JSON
/// object per line, camelCase, nulls left out, every string masked before serialising (JSON escaping would hide a secret
/// from the masker).
/// </summary>
public static class JournalLines
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>One entry as a line (without the newline), secrets masked.</summary>
    public static string Serialize(JournalEntry entry, SecretMasker masker) => MaskedJson.Serialize(entry, Options, masker);

    /// <summary>The entries of journal text; <paramref name="where"/> names the journal in warnings about unreadable lines.</summary>
    public static IReadOnlyList<JournalEntry> Parse(IEnumerable<string> lines, string where, ICollection<string>? warnings)
    {
        var entries = new List<JournalEntry>();
        var lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            try
            {
                var entry = JsonSerializer.Deserialize<JournalEntry>(line, Options);
                if (entry?.Type is null || entry.DeploymentId is null)
                    throw new JsonException("missing type or deploymentId");
                entries.Add(entry);
            }
            catch (JsonException)
            {
                warnings?.Add($"{where}:{lineNumber}: skipped an unreadable journal line (a run was probably killed while writing it).");
            }
        }
        return entries;
    }

    /// <summary>Deployments in the order they started, each with its stage entries and its finish (if any).</summary>
    public static IReadOnlyList<DeploymentRecord> Group(IReadOnlyList<JournalEntry> entries) =>
        entries.Where(x => x.IsStarted).Select(start =>
        {
            var own = entries.Where(x => x.DeploymentId == start.DeploymentId).ToList();
            return new DeploymentRecord(start,
                own.Where(x => x.Type == JournalEntryTypes.Stage).ToList(),
                own.LastOrDefault(x => x.Type == JournalEntryTypes.Finished));
        }).ToList();
}
