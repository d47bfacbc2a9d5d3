namespace MeshHook.Deployment.Reporting;

/// <summary>The four DORA figures of an environment over a window, computed from its timeline.</summary>
public sealed record DoraFigures(
    DeploymentFrequency DeploymentFrequency,
    LeadTimeForChanges LeadTimeForChanges,
    ChangeFailureRate ChangeFailureRate,
    TimeToRestore TimeToRestore)
{
    /// <param name="timeline">Every deployment of the journal, oldest first (earlier ones decide which commits are new).</param>
    /// <param name="commitTimes">Commit time by commit, for the commits git knows.</param>
    public static DoraFigures Compute(IReadOnlyList<TimelineEntry> timeline, ReportWindow window, IReadOnlyDictionary<string, DateTimeOffset> commitTimes)
    {
        var finishedInWindow = timeline.Where(x => x.FinishedAt is { } at && window.Contains(at)).ToList();
        var deploys = finishedInWindow.Where(x => x.IsDeploy).ToList();

        var frequency = new DeploymentFrequency(deploys.Count(x => x.Category == OutcomeCategory.Success), window.Days);

        var counted = deploys.Where(x => x.Category is OutcomeCategory.Success or OutcomeCategory.ChangeFailure).ToList();
        var failureRate = new ChangeFailureRate(counted.Count(x => x.IsChangeFailure), counted.Count);

        return new DoraFigures(frequency, LeadTime(timeline, window, commitTimes), failureRate, Restore(timeline, window));
    }

    static LeadTimeForChanges LeadTime(IReadOnlyList<TimelineEntry> timeline, ReportWindow window, IReadOnlyDictionary<string, DateTimeOffset> commitTimes)
    {
        var deployed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var samples = new List<TimeSpan>();
        var unknown = 0;
        foreach (var entry in timeline.Where(x => x.IsDeploy && x.Category == OutcomeCategory.Success))
        {
            var first = entry.Commit is null || deployed.Add(entry.Commit);
            if (!first || !window.Contains(entry.FinishedAt!.Value))
                continue;
            if (entry.Commit is not null && commitTimes.TryGetValue(entry.Commit, out var committed))
                samples.Add(Max(entry.FinishedAt.Value - committed, TimeSpan.Zero));
            else
                unknown++;
        }
        return new LeadTimeForChanges(Median(samples), samples.Count, unknown);
    }

    static TimeToRestore Restore(IReadOnlyList<TimelineEntry> timeline, ReportWindow window)
    {
        var samples = new List<TimeSpan>();
        var notRestored = 0;
        for (var i = 0; i < timeline.Count; i++)
        {
            var failure = timeline[i];
            if (!failure.IsChangeFailure || FailureTime(failure) is not { } failedAt || !window.Contains(failedAt))
                continue;
            DateTimeOffset? restoredAt = failure switch
            {
                { UndoneBy: { } rollback } => timeline.FirstOrDefault(x => x.Id == rollback)?.FinishedAt,
                { Outcome: Journal.Outcomes.RolledBack } => failure.FinishedAt,
                _ => timeline.Skip(i + 1).FirstOrDefault(x => x.Category == OutcomeCategory.Success && x.FinishedAt >= failedAt)?.FinishedAt,
            };
            if (restoredAt is { } restored)
                samples.Add(Max(restored - failedAt, TimeSpan.Zero));
            else
                notRestored++;
        }
        return new TimeToRestore(Median(samples), samples.Count, notRestored);
    }

    /// <summary>A deploy replaced by a Rollback failed when it went live; any other when its stage failed.</summary>
    static DateTimeOffset? FailureTime(TimelineEntry entry) =>
        entry.UndoneBy is not null ? entry.FinishedAt : entry.FailedAt ?? entry.FinishedAt;

    internal static TimeSpan? Median(IReadOnlyCollection<TimeSpan> values)
    {
        if (values.Count == 0)
            return null;
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
