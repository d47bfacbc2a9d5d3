using System.Globalization;
using System.Text;

namespace MeshHook.Build.Engine;

/// <summary>The end-of-build table (Target, Status, Duration, note) and the closing line, as NUKE prints them.</summary>
public sealed record BuildSummary(IReadOnlyList<BuildSummary.Row> Rows, TimeSpan Total, bool Succeeded, DateTimeOffset FinishedAt)
{
    public sealed record Row(string Target, ExecutionStatus Status, TimeSpan? Duration, string? Note);

    public static BuildSummary From(IEnumerable<ExecutableTarget> plan, TimeSpan total, bool succeeded, DateTimeOffset finishedAt) =>
        new(plan.Select(x => new Row(x.Name, x.Status, HasDuration(x.Status) ? x.Duration : null, x.Note)).ToList(),
            total, succeeded, finishedAt);

    public string ToText()
    {
        var nameWidth = Math.Max(20, Rows.Select(x => x.Target.Length).DefaultIfEmpty(0).Max() + 4);
        const int statusWidth = 12, durationWidth = 9;
        var width = nameWidth + statusWidth + durationWidth;
        var text = new StringBuilder();
        text.AppendLine(new string('═', width));
        text.AppendLine("Target".PadRight(nameWidth) + "Status".PadRight(statusWidth) + "Duration".PadLeft(durationWidth));
        text.AppendLine(new string('─', width));
        foreach (var row in Rows)
        {
            var line = row.Target.PadRight(nameWidth) + row.Status.ToString().PadRight(statusWidth) +
                       (row.Duration is { } duration ? FormatDuration(duration) : string.Empty).PadLeft(durationWidth);
            if (row.Note is not null)
                line = line.PadRight(width) + "   // " + row.Note;
            text.AppendLine(line.TrimEnd());
        }
        text.AppendLine(new string('─', width));
        text.AppendLine("Total".PadRight(nameWidth + statusWidth) + FormatDuration(Total).PadLeft(durationWidth));
        text.AppendLine(new string('═', width));
        text.AppendLine();
        text.AppendLine(ClosingLine);
        return text.ToString();
    }

    public string ClosingLine =>
        $"Build {(Succeeded ? "succeeded" : "failed")} on {FinishedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}.";

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"### {(Succeeded ? "✅ Build succeeded" : "❌ Build failed")}");
        text.AppendLine();
        text.AppendLine("| Target | Status | Duration | Note |");
        text.AppendLine("|---|---|---:|---|");
        foreach (var row in Rows)
            text.AppendLine($"| {row.Target} | {row.Status} | {(row.Duration is { } d ? FormatDuration(d) : string.Empty)} | {row.Note?.Replace("|", "\\|")} |");
        text.AppendLine($"| **Total** | | {FormatDuration(Total)} | |");
        text.AppendLine();
        return text.ToString();
    }

    public static string FormatDuration(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1)
            ? "< 1sec"
            : $"{(int)duration.TotalMinutes}:{duration.Seconds:00}";

    static bool HasDuration(ExecutionStatus status) =>
        status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Aborted or ExecutionStatus.Collective;
}
