using System.Globalization;
using System.Text.RegularExpressions;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Reporting;

/// <summary>The span of time the DORA figures are computed over: from <see cref="Start"/> up to <see cref="End"/> (now).</summary>
public sealed partial record ReportWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public static readonly TimeSpan DefaultLength = TimeSpan.FromDays(30);

    [GeneratedRegex(@"^(?<count>\d+)\s*(?<unit>[hdw])$", RegexOptions.IgnoreCase)]
    private static partial Regex Relative();

    public TimeSpan Length => End - Start;

    public double Days => Length.TotalDays;

    public bool Contains(DateTimeOffset at) => at >= Start && at <= End;

    public string Describe() => $"{Start.UtcDateTime:yyyy-MM-dd HH:mm} to {End.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({FormatDays(Days)})";

    public static ReportWindow Last(TimeSpan length, DateTimeOffset now) => new(now - length, now);

    /// <summary>
    /// <c>--since</c>: a length back from now (<c>30d</c>, <c>12h</c>, <c>2w</c>) or a start date (<c>2026-11-01</c>, UTC)
    /// or date and time with an offset (<c>2026-11-01T08:00:00+01:00</c>). Null or empty: the last 30 days.
    /// </summary>
    public static ReportWindow Parse(string? since, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(since))
            return Last(DefaultLength, now);
        var text = since.Trim();
        var relative = Relative().Match(text);
        if (relative.Success && int.TryParse(relative.Groups["count"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            var unit = char.ToLowerInvariant(relative.Groups["unit"].Value[0]);
            return Last(unit switch { 'h' => TimeSpan.FromHours(count), 'd' => TimeSpan.FromDays(count), _ => TimeSpan.FromDays(7 * count) }, now);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            if (start >= now)
                throw new UserFacingException($"--since {text} is not in the past (now is {now.UtcDateTime:yyyy-MM-dd HH:mm} UTC): give an earlier date, or a length such as 30d.");
            return new ReportWindow(start, now);
        }
        throw new UserFacingException(
            $"--since '{text}' is not a window: give a length back from now such as 30d, 12h or 2w, or a start date such as 2026-11-01 (UTC).");
    }

    internal static string FormatDays(double days) =>
        days == Math.Floor(days) ? $"{days:0} day{(days == 1 ? "" : "s")}" : $"{days.ToString("0.#", CultureInfo.InvariantCulture)} days";
}
