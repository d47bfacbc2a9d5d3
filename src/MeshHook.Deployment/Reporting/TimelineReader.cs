using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Reporting;

/// <summary>Turns the journal's deployment records into the report's timeline (oldest first).</summary>
public static class TimelineReader
{
    /// <param name="records">From <see cref="DeploymentJournal.ReadDeployments"/>.</param>
    /// <param name="manifestOf">A release's manifest, when it is still at hand (its version; its commit for old entries without one).</param>
    /// <param name="masker">Applied to error texts once more (the journal masks what it knew of when writing).</param>
    /// <param name="lockedBy">The deployment holding the lock: its open record is running, other open ones are unfinished.</param>
    public static IReadOnlyList<TimelineEntry> Read(IReadOnlyList<DeploymentRecord> records, Func<string, ReleaseManifest?> manifestOf, SecretMasker masker,
        string? lockedBy)
    {
        var entries = records.Select(record => ToEntry(record, manifestOf, masker, lockedBy))
            .OrderBy(x => x.StartedAt).ToList(); // stable: journal order breaks ties
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not { IsDeploy: true, Category: OutcomeCategory.Success } deploy)
                continue;
            // The next healthy operation after a successful deploy tells whether it stayed: a Rollback away from it undoes it.
            var next = entries.Skip(i + 1).FirstOrDefault(x => x.Category == OutcomeCategory.Success);
            if (next is { IsDeploy: false } && (next.PreviousRelease is null || next.PreviousRelease == deploy.Release))
                entries[i] = deploy with { UndoneBy = next.Id };
        }
        return entries;
    }

    static TimelineEntry ToEntry(DeploymentRecord record, Func<string, ReleaseManifest?> manifestOf, SecretMasker masker, string? lockedBy)
    {
        var failedStage = record.Stages.FirstOrDefault(x => x.Outcome == Outcomes.Failed);
        var category = ReportedOutcomes.Categorize(record.Outcome);
        var error = record.Finish?.Error ?? failedStage?.Error;
        var manifest = record.Release is null ? null : manifestOf(record.Release);
        return new TimelineEntry
        {
            Id = record.Id,
            Kind = record.Kind,
            Release = record.Release,
            Version = manifest?.Version,
            Commit = record.Start.Commit ?? manifest?.Commit,
            PreviousRelease = record.Start.PreviousRelease,
            Actor = record.Start.Actor,
            StartedAt = record.Start.At,
            FinishedAt = record.Finish?.At,
            Outcome = record.Outcome ?? (record.Id == lockedBy ? "running" : "unfinished"),
            Category = category,
            Stages = record.Stages.Select(x => new StageTiming(x.Stage ?? "?", TimeSpan.FromMilliseconds(Math.Max(0, x.DurationMs ?? 0)), x.Outcome)).ToList(),
            Error = error is null ? null : masker.Apply(error),
            FailedAt = failedStage?.At ?? (category == OutcomeCategory.ChangeFailure ? record.Finish?.At : null),
        };
    }
}
