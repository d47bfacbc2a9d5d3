using System.Text;
using System.Text.Json;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Journal;

/// <summary>
/// The environment's append-only journal (JSON lines). Each entry is written with one write call and flushed to disk,
/// so a crash loses at most the entry being written; a half-written last line is skipped with a warning when read,
/// and the next append starts on a fresh line, so no earlier entry is ever lost. Secret values are masked on the way in
/// (in each string before serialising: JSON escaping would hide them from the masker). The file is the owner's only (0600):
/// it holds error messages of failed deploys.
/// </summary>
public sealed class DeploymentJournal(string path, SecretMasker masker)
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path => path;

    public void Append(JournalEntry entry)
    {
        var line = MaskedJson.Serialize(entry, Options, masker);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateMode;
        using var stream = new FileStream(path, options);
        // A journal written by an earlier version (0644) is narrowed the next time it is written.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~PrivateMode) != 0)
            File.SetUnixFileMode(path, PrivateMode);
        // A previous writer killed mid-line left no newline: start ours on a line of its own.
        var prefix = stream.Length > 0 && LastByte() != '\n' ? "\n" : string.Empty;
        var bytes = Encoding.UTF8.GetBytes(prefix + line + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every readable entry, in order; unreadable lines are reported through <paramref name="warnings"/>.</summary>
    public IReadOnlyList<JournalEntry> ReadEntries(ICollection<string>? warnings = null)
    {
        if (!File.Exists(path))
            return [];
        var entries = new List<JournalEntry>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
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
                warnings?.Add($"{path}:{lineNumber}: skipped an unreadable journal line (a run was probably killed while writing it).");
            }
        }
        return entries;
    }

    /// <summary>Deployments in the order they started.</summary>
    public IReadOnlyList<DeploymentRecord> ReadDeployments(ICollection<string>? warnings = null)
    {
        var entries = ReadEntries(warnings);
        return entries.Where(x => x.IsStarted).Select(start =>
        {
            var own = entries.Where(x => x.DeploymentId == start.DeploymentId).ToList();
            return new DeploymentRecord(start,
                own.Where(x => x.Type == JournalEntryTypes.Stage).ToList(),
                own.LastOrDefault(x => x.Type == JournalEntryTypes.Finished));
        }).ToList();
    }

    byte LastByte()
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        reader.Seek(-1, SeekOrigin.End);
        return (byte)reader.ReadByte();
    }
}
