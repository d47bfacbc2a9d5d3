using System.Globalization;
using System.Text;
using static System.Net.WebUtility;

namespace MeshHook.Deployment.Reporting;

/// <summary>
/// Stage durations per deployment as horizontal stacked bars, drawn as inline SVG (no script, no network): where a deploy
/// spends its time (migrate, start, health check...). Each segment's tooltip names the stage and its duration.
/// </summary>
public static class StageChart
{
    /// <summary>At most this many deployments (the newest) get a bar, so the page stays readable.</summary>
    public const int MaxBars = 60;

    const int Width = 960;
    const int LabelWidth = 320;
    const int DurationWidth = 90;
    const int BarHeight = 18;
    const int RowHeight = 26;
    const int Top = 8;

    static readonly IReadOnlyDictionary<string, string> Colours = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["lock"] = "#8c959f",
        ["database"] = "#6e7781",
        ["migrate"] = "#8250df",
        ["stage"] = "#0969da",
        ["start"] = "#1f883d",
        ["health check"] = "#bf8700",
        ["switch"] = "#e16f24",
        ["verify"] = "#1b7c83",
        ["clean up"] = "#afb8c1",
        ["recover"] = "#cf222e",
    };

    static readonly string[] Others = ["#a475f9", "#4ac26b", "#54aeff", "#d4a72c", "#fb8f44", "#ff8182"];

    public static string ColourOf(string stage) =>
        Colours.TryGetValue(stage, out var colour) ? colour : Others[stage.Sum(x => x) % Others.Length];

    /// <param name="timeline">Newest first.</param>
    public static string Render(IReadOnlyList<TimelineEntry> timeline)
    {
        var rows = timeline.Where(x => x.Stages.Count > 0).Take(MaxBars).ToList();
        if (rows.Count == 0)
            return "<p class=\"empty\">No stage has been recorded yet.</p>";
        var longest = rows.Max(x => x.Stages.Sum(s => s.Duration.TotalMilliseconds));
        var scale = longest > 0 ? (Width - LabelWidth - DurationWidth) / longest : 0;
        var height = Top * 2 + rows.Count * RowHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"stage-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"Stage durations per deployment\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var entry = rows[i];
            var y = Top + i * RowHeight;
            var release = entry.Release ?? entry.Id;
            var label = $"{ReportFormat.Time(entry.StartedAt)[5..16]} {(entry.IsDeploy ? "" : "↩ ")}{(release.Length > 30 ? release[..29] + "…" : release)}";
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"bar\" data-deployment=\"{HtmlEncode(entry.Id)}\"><text x=\"0\" y=\"{y + 13}\" class=\"label\">{HtmlEncode(label)}<title>{HtmlEncode(ReportFormat.Time(entry.StartedAt) + " " + release)}</title></text>");
            double x = LabelWidth;
            foreach (var stage in entry.Stages)
            {
                var w = Math.Max(stage.Duration.TotalMilliseconds * scale, 1);
                var failed = stage.Outcome == Journal.Outcomes.Failed;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{x:0.##}\" y=\"{y}\" width=\"{w:0.##}\" height=\"{BarHeight}\" fill=\"{ColourOf(stage.Name)}\"{(failed ? " class=\"failed\"" : "")}>" +
                    $"<title>{HtmlEncode($"{stage.Name}: {ReportFormat.Duration(stage.Duration)}{(failed ? " (failed)" : "")}")}</title></rect>");
                x += w;
            }
            var total = TimeSpan.FromMilliseconds(entry.Stages.Sum(s => s.Duration.TotalMilliseconds));
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{x + 6:0.##}\" y=\"{y + 13}\" class=\"total\">{HtmlEncode(ReportFormat.Duration(total))}</text></g>");
        }
        svg.Append("</svg>");

        var names = rows.SelectMany(x => x.Stages).Select(x => x.Name).Distinct().ToList();
        svg.Append("<ul class=\"legend\">");
        foreach (var name in names)
            svg.Append($"<li><span class=\"swatch\" style=\"background:{ColourOf(name)}\"></span>{HtmlEncode(name)}</li>");
        svg.Append("<li><span class=\"swatch failed\"></span>stage that failed</li></ul>");
        if (timeline.Count(x => x.Stages.Count > 0) > MaxBars)
            svg.Append($"<p class=\"note\">The newest {MaxBars} deployments are drawn.</p>");
        return svg.ToString();
    }
}
