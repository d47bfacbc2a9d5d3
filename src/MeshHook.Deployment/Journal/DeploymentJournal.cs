using System.Text;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Journal;

/// <summary>
/// The environment's append-only journal (JSON lines). Each entry is written with one write call and flushed to disk,
/// so a crash loses at most the entry being written; a half-written last line is skipped with a warning when read,
/// and the next append starts on a fresh line, so no earlier entry is ever lost. Secret values are masked on the way in
/// (in each string before serialising: JSON escaping would hide them from the masker). The file is the owner's only (0600):
/// it holds error messages of failed deploys.
/// </summary>
public sealed class DeploymentJournal(string path, SecretMasker masker) : IDeploymentJournal
{
    const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path => path;

    public string Location => path;

    public Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        Append(entry);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken) =>
        Task.FromResult(ReadEntries(warnings));

    public void Append(JournalEntry entry)
    {
        var line = JournalLines.Serialize(entry, masker);
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
        return JournalLines.Parse(File.ReadLines(path), path, warnings);
    }

    /// <summary>Deployments in the order they started.</summary>
    public IReadOnlyList<DeploymentRecord> ReadDeployments(ICollection<string>? warnings = null) =>
        JournalLines.Group(ReadEntries(warnings));

    byte LastByte()
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        reader.Seek(-1, SeekOrigin.End);
        return (byte)reader.ReadByte();
    }
}
