using MeshHook.Deployment.Journal;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>
/// Writes a journal through the journal's own writer, entry by entry, with times given as UTC instants and written in
/// the offsets a rotating list of time zones picks (so each figure is checked to be computed on instants, not on
/// wall-clock text).
/// </summary>
internal sealed class GeneratedJournal(string path, params TimeSpan[] offsets)
{
    readonly DeploymentJournal _journal = new(path, new SecretMasker());
    int _written;

    public DeploymentJournal Journal => _journal;

    public int Deployments { get; private set; }

    public static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A deployment: started at <paramref name="start"/>, then each stage back to back, then the outcome (null: still open).</summary>
    public void Add(string id, string kind, string release, string? commit, DateTimeOffset start, IEnumerable<(string Stage, double Seconds, string Outcome, string? Error)> stages,
        string? outcome, string? error = null, string? previousRelease = null, TimeSpan? finishAfterStages = null)
    {
        Deployments++;
        Write(new JournalEntry
        {
            Type = JournalEntryTypes.Started, DeploymentId = id, At = start, Kind = kind, Environment = "local", Release = release,
            Commit = commit, Actor = "ana@build", PreviousRelease = previousRelease,
        });
        var at = start;
        foreach (var (stage, seconds, stageOutcome, stageError) in stages)
        {
            var stageStarted = at;
            at += TimeSpan.FromSeconds(seconds);
            Write(new JournalEntry
            {
                Type = JournalEntryTypes.Stage, DeploymentId = id, At = at, Stage = stage, StartedAt = stageStarted,
                DurationMs = (long)(seconds * 1000), Outcome = stageOutcome, Error = stageError,
            });
        }
        if (outcome is not null)
            Write(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = id, At = at + (finishAfterStages ?? TimeSpan.Zero), Outcome = outcome, Error = error });
    }

    /// <summary>A successful run whose stages take exactly <paramref name="minutes"/> in all.</summary>
    public void Succeeded(string id, string kind, string release, string? commit, DateTimeOffset start, double minutes, string? previousRelease = null) =>
        Add(id, kind, release, commit, start, Stages(minutes), Outcomes.Succeeded, previousRelease: previousRelease);

    public static IEnumerable<(string, double, string, string?)> Stages(double minutes)
    {
        var seconds = minutes * 60;
        return [("lock", 1, Outcomes.Succeeded, null), ("migrate", seconds * 0.2, Outcomes.Succeeded, null), ("start", seconds * 0.4 - 1, Outcomes.Succeeded, null),
            ("health check", seconds * 0.3, Outcomes.Succeeded, null), ("switch", seconds * 0.1, Outcomes.Succeeded, null)];
    }

    void Write(JournalEntry entry)
    {
        var offset = offsets.Length == 0 ? TimeSpan.Zero : offsets[_written++ % offsets.Length];
        _journal.Append(entry with { At = entry.At.ToOffset(offset), StartedAt = entry.StartedAt?.ToOffset(offset) });
    }
}
