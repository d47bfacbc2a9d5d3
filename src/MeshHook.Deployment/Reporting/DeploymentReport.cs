using System.Text;
using System.Text.Json;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Reporting;

/// <summary>
/// Everything the report shows for one environment: the timeline (newest first), the DORA figures over the window, the
/// current state, and notes on what was skipped or not counted. Rendered as a page (<see cref="ReportPage"/>), as
/// JSON for dashboards, or as the Markdown table of a GitHub Actions step summary.
/// </summary>
public sealed record DeploymentReport
{
    public required string Environment { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required ReportWindow Window { get; init; }
    public required DoraFigures Figures { get; init; }
    public required CurrentState Current { get; init; }

    /// <summary>Every deployment and rollback of the journal, newest first.</summary>
    public required IReadOnlyList<TimelineEntry> Timeline { get; init; }

    /// <summary>Things a reader should know: unreadable journal lines, outcomes counted neither way.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <param name="timeline">Oldest first, as <see cref="TimelineReader.Read"/> returns it.</param>
    /// <param name="warnings">From reading the journal (e.g. a truncated last line).</param>
    public static DeploymentReport Create(string environment, IReadOnlyList<TimelineEntry> timeline, ReportWindow window,
        IReadOnlyDictionary<string, DateTimeOffset> commitTimes, CurrentState current, IEnumerable<string> warnings)
    {
        var notes = warnings.ToList();
        var unknown = timeline.Where(x => x.Category == OutcomeCategory.NotCounted && !ReportedOutcomes.IsKnown(x.Outcome))
            .GroupBy(x => x.Outcome).ToList();
        foreach (var group in unknown)
            notes.Add($"{ReportFormat.Plural(group.Count(), "deployment")} ended '{group.Key}', an outcome this report does not know: shown as written, counted neither as a success nor as a change failure.");
        if (timeline.Any(x => x.Outcome == "cancelled"))
            notes.Add("Cancelled deployments count neither as a success nor as a change failure.");
        return new DeploymentReport
        {
            Environment = environment,
            GeneratedAt = window.End,
            Window = window,
            Figures = DoraFigures.Compute(timeline, window, commitTimes),
            Current = current with { LastFailure = current.LastFailure ?? timeline.LastOrDefault(x => x.IsChangeFailure) },
            Timeline = timeline.Reverse().ToList(),
            Notes = notes,
        };
    }

    /// <summary>Why each figure has the value it has, in a few words (shown beside it).</summary>
    public string BasisOf(string figure) => figure switch
    {
        nameof(DoraFigures.DeploymentFrequency) => $"{ReportFormat.Plural(Figures.DeploymentFrequency.Deployments, "successful deploy")} in {ReportWindow.FormatDays(Window.Days)}",
        nameof(DoraFigures.LeadTimeForChanges) => $"{ReportFormat.Plural(Figures.LeadTimeForChanges.Measured, "commit")} measured" +
            (Figures.LeadTimeForChanges.WithoutCommitTime > 0 ? $"; {Figures.LeadTimeForChanges.WithoutCommitTime} without a commit time from git" : ""),
        nameof(DoraFigures.ChangeFailureRate) => $"{Figures.ChangeFailureRate.Failures} of {ReportFormat.Plural(Figures.ChangeFailureRate.Deployments, "deploy")}",
        nameof(DoraFigures.TimeToRestore) => $"{ReportFormat.Plural(Figures.TimeToRestore.Restored, "failure")} restored" +
            (Figures.TimeToRestore.NotRestored > 0 ? $"; {Figures.TimeToRestore.NotRestored} not restored yet" : ""),
        _ => throw new ArgumentOutOfRangeException(nameof(figure), figure, "not a DORA figure"),
    };

    /// <summary>The DORA table for a GitHub Actions step summary.</summary>
    public string ToMarkdown()
    {
        var figures = Figures;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine($"### DORA figures: {Environment}, {ReportWindow.FormatDays(Window.Days)} to {ReportFormat.Time(Window.End)} UTC");
        text.AppendLine();
        text.AppendLine("| Figure | Value | Based on |");
        text.AppendLine("|---|---|---|");
        text.AppendLine($"| Deployment frequency | {ReportFormat.Frequency(figures.DeploymentFrequency)} | {BasisOf(nameof(DoraFigures.DeploymentFrequency))} |");
        text.AppendLine($"| Lead time for changes | {ReportFormat.LeadTime(figures.LeadTimeForChanges)} | {BasisOf(nameof(DoraFigures.LeadTimeForChanges))} |");
        text.AppendLine($"| Change failure rate | {ReportFormat.Percent(figures.ChangeFailureRate.Rate)} | {BasisOf(nameof(DoraFigures.ChangeFailureRate))} |");
        text.AppendLine($"| Time to restore | {ReportFormat.Restore(figures.TimeToRestore)} | {BasisOf(nameof(DoraFigures.TimeToRestore))} |");
        text.AppendLine();
        text.AppendLine($"Serving: {Code(Current.ServingRelease)}{(Current.ServingVersion is null ? "" : $" ({Current.ServingVersion})")}" +
                        (Current.LastFailure is { } failure ? $" · last failure: {failure.Kind} of {Code(failure.Release)} at {ReportFormat.Time(failure.FailedAt ?? failure.CountedAt)} UTC" : ""));
        return text.ToString();

        static string Code(string? value) => value is null ? "none" : $"`{value}`";
    }

    // Printed, not embedded in HTML: apostrophes and the like stay readable.
    public string ToJson() => Json().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Durations in seconds and times in UTC (ISO 8601), so dashboards need no parsing of their own.</summary>
    JsonObject Json() => new()
    {
        ["environment"] = Environment,
        ["generatedAt"] = GeneratedAt.ToUniversalTime(),
        ["window"] = new JsonObject { ["start"] = Window.Start.ToUniversalTime(), ["end"] = Window.End.ToUniversalTime(), ["days"] = Window.Days },
        ["figures"] = new JsonObject
        {
            ["deploymentFrequency"] = new JsonObject
            {
                ["deployments"] = Figures.DeploymentFrequency.Deployments,
                ["perDay"] = Math.Round(Figures.DeploymentFrequency.PerDay, 4),
                ["perWeek"] = Math.Round(Figures.DeploymentFrequency.PerWeek, 4),
                ["definition"] = DeploymentFrequency.Definition,
            },
            ["leadTimeForChanges"] = new JsonObject
            {
                ["medianSeconds"] = Seconds(Figures.LeadTimeForChanges.Median),
                ["measured"] = Figures.LeadTimeForChanges.Measured,
                ["withoutCommitTime"] = Figures.LeadTimeForChanges.WithoutCommitTime,
                ["definition"] = LeadTimeForChanges.Definition,
            },
            ["changeFailureRate"] = new JsonObject
            {
                ["rate"] = Figures.ChangeFailureRate.Rate,
                ["failures"] = Figures.ChangeFailureRate.Failures,
                ["deployments"] = Figures.ChangeFailureRate.Deployments,
                ["definition"] = ChangeFailureRate.Definition,
            },
            ["timeToRestore"] = new JsonObject
            {
                ["medianSeconds"] = Seconds(Figures.TimeToRestore.Median),
                ["restored"] = Figures.TimeToRestore.Restored,
                ["notRestored"] = Figures.TimeToRestore.NotRestored,
                ["definition"] = TimeToRestore.Definition,
            },
        },
        ["current"] = new JsonObject
        {
            ["servingRelease"] = Current.ServingRelease,
            ["servingVersion"] = Current.ServingVersion,
            ["lockHolder"] = Current.LockHolder,
            ["lockIsStale"] = Current.LockIsStale,
            ["lastFailure"] = Current.LastFailure is { } failure ? Entry(failure) : null,
        },
        ["deployments"] = new JsonArray(Timeline.Select(x => (JsonNode)Entry(x)).ToArray()),
        ["notes"] = new JsonArray(Notes.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
    };

    static JsonObject Entry(TimelineEntry entry) => new()
    {
        ["id"] = entry.Id,
        ["kind"] = entry.Kind,
        ["release"] = entry.Release,
        ["version"] = entry.Version,
        ["commit"] = entry.Commit,
        ["actor"] = entry.Actor,
        ["startedAt"] = entry.StartedAt.ToUniversalTime(),
        ["finishedAt"] = entry.FinishedAt?.ToUniversalTime(),
        ["durationSeconds"] = Seconds(entry.Duration),
        ["outcome"] = entry.Outcome,
        ["countsAs"] = entry.IsChangeFailure ? "changeFailure" : entry.Category switch
        {
            OutcomeCategory.Success => "success",
            OutcomeCategory.Unfinished => "unfinished",
            _ => "notCounted",
        },
        ["undoneBy"] = entry.UndoneBy,
        ["error"] = entry.Error,
        ["stages"] = new JsonArray(entry.Stages.Select(x => (JsonNode)new JsonObject
        {
            ["name"] = x.Name,
            ["seconds"] = x.Duration.TotalSeconds,
            ["outcome"] = x.Outcome,
        }).ToArray()),
    };

    static double? Seconds(TimeSpan? span) => span?.TotalSeconds;
}
