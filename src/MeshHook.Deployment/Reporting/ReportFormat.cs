using System.Globalization;

namespace MeshHook.Deployment.Reporting;

/// <summary>How the page, the summary and the console write times, durations and rates.</summary>
internal static class ReportFormat
{
    public static string Duration(TimeSpan? value)
    {
        if (value is not { } span)
            return "–";
        if (span < TimeSpan.FromSeconds(1))
            return "< 1 s";
        if (span < TimeSpan.FromMinutes(1))
            return $"{span.TotalSeconds:0} s";
        if (span < TimeSpan.FromHours(1))
            return span.Seconds == 0 ? $"{span.Minutes} min" : $"{span.Minutes} min {span.Seconds} s";
        if (span < TimeSpan.FromDays(1))
            return span.Minutes == 0 ? $"{span.Hours} h" : $"{span.Hours} h {span.Minutes} min";
        return span.Hours == 0 ? $"{(int)span.TotalDays} d" : $"{(int)span.TotalDays} d {span.Hours} h";
    }

    public static string Time(DateTimeOffset? value) =>
        value is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "–";

    public static string Number(double value) => value.ToString(value >= 10 ? "0" : "0.##", CultureInfo.InvariantCulture);

    public static string Percent(double? rate) => rate is { } value ? (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "–";

    public static string Frequency(DeploymentFrequency frequency) =>
        $"{Number(frequency.PerDay)} per day ({Number(frequency.PerWeek)} per week)";

    public static string LeadTime(LeadTimeForChanges lead) =>
        lead.Median is null ? "–" : Duration(lead.Median) + " (median)";

    public static string Restore(TimeToRestore restore) =>
        restore.Median is null ? "–" : Duration(restore.Median) + " (median)";

    public static string Plural(int count, string singular, string? plural = null) =>
        $"{count} {(count == 1 ? singular : plural ?? singular + "s")}";
}
