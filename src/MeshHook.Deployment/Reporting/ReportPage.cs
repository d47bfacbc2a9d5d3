using System.Text;
using static System.Net.WebUtility;

namespace MeshHook.Deployment.Reporting;

/// <summary>
/// The report as one self-contained HTML page: styles inline, charts as inline SVG, no script and nothing fetched, so it
/// opens from disk, from a CI artifact or as an e-mail attachment alike.
/// </summary>
public static class ReportPage
{
    const string Styles = """
        :root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; max-width: 1100px; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        .sub, .note, .definition, .basis { color: var(--muted); } .sub { margin: 0; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 12px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
        .card h3 { font-size: 13px; margin: 0 0 6px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
        .card .value { font-size: 22px; font-weight: 650; margin-bottom: 2px; overflow-wrap: anywhere; }
        .card .definition { font-size: 12px; margin: 8px 0 0; } .basis { font-size: 12px; } .current .value { font-size: 18px; }
        pre.error { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff1f0; border: 1px solid #ffcecb; border-radius: 6px; padding: 8px; margin: 6px 0 0; font-size: 12px; }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; } td.num { text-align: right; white-space: nowrap; } td.time { white-space: nowrap; }
        code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
        .outcome { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #6e7781; white-space: nowrap; }
        .outcome.succeeded { background: #1a7f37; } .outcome.failed { background: #cf222e; } .outcome.rolled_back { background: #bc4c00; }
        .outcome.running { background: #0969da; } .outcome.unfinished { background: #9a6700; } .outcome.unknown { background: #8250df; }
        .undone { font-size: 12px; color: #bc4c00; }
        .stage-chart { max-width: 100%; height: auto; } .stage-chart text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--fg); }
        .stage-chart text.total { fill: var(--muted); } .stage-chart rect.failed { stroke: #cf222e; stroke-width: 2; }
        .legend { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; }
        .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
        .swatch.failed { border: 2px solid #cf222e; } .empty { color: var(--muted); font-style: italic; }
        footer { margin-top: 28px; font-size: 12px; color: var(--muted); }
        """;

    public static string Render(DeploymentReport report)
    {
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>MeshHook deployments: {E(report.Environment)}</title>
            <style>{Styles}</style>
            </head>
            <body>
            <h1>MeshHook deployments: {E(report.Environment)}</h1>
            <p class="sub">Generated {E(ReportFormat.Time(report.GeneratedAt))} UTC · DORA window {E(report.Window.Describe())} · all times UTC</p>

            """);
        Current(html, report);
        Figures(html, report);
        html.Append("<h2>Stage durations</h2>\n").Append(StageChart.Render(report.Timeline)).Append('\n');
        Timeline(html, report);
        if (report.Notes.Count > 0)
        {
            html.Append("<h2>Notes</h2>\n<ul class=\"notes\">");
            foreach (var note in report.Notes)
                html.Append($"<li>{E(note)}</li>");
            html.Append("</ul>\n");
        }
        html.Append("<footer>Written by <code>./build.sh Report --environment ").Append(E(report.Environment))
            .Append("</code> from the environment's deployment journal. <code>--json</code> prints the same figures as JSON.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    static void Current(StringBuilder html, DeploymentReport report)
    {
        var current = report.Current;
        html.Append("<h2>Current state</h2>\n<div class=\"cards current\">");
        Card(html, "Serving release", current.ServingRelease ?? "none",
            current.ServingVersion is null ? null : $"version {current.ServingVersion}");
        if (current.LockNotRead)
            Card(html, "Lock", "not read", "a cloud environment's lock is a blob lease: ./build.sh Status shows its holder");
        else
            Card(html, "Lock", current.LockHolder is null ? "free" : current.LockIsStale ? "stale" : "held",
                current.LockHolder is null ? null : current.LockHolder + (current.LockIsStale ? " (its process is gone: the next deploy takes the lock over)" : ""));
        html.Append("<div class=\"card last-failure\"><h3>Last failure</h3>");
        if (current.LastFailure is { } failure)
        {
            var badge = failure.UndoneBy is null ? Badge(failure) : "<span class=\"outcome rolled_back\" title=\"counts as a change failure\">rolled back later</span>";
            html.Append($"<div class=\"value\">{badge}</div><div class=\"basis\">{E(failure.Kind)} of <code>{E(failure.Release ?? "?")}</code> at {E(ReportFormat.Time(failure.FailedAt ?? failure.CountedAt))}</div>");
            var error = failure.Error ?? (failure.UndoneBy is { } rollback ? $"Replaced by rollback {rollback}." : null);
            if (error is not null)
                html.Append($"<pre class=\"error\">{E(error)}</pre>");
        }
        else
        {
            html.Append("<div class=\"value\">none</div>");
        }
        html.Append("</div></div>\n");
    }

    static void Figures(StringBuilder html, DeploymentReport report)
    {
        var figures = report.Figures;
        html.Append($"<h2>DORA figures <span class=\"note\">({E(ReportWindow.FormatDays(report.Window.Days))})</span></h2>\n<div class=\"cards dora\">");
        Figure(html, "deployment-frequency", "Deployment frequency", $"{ReportFormat.Number(figures.DeploymentFrequency.PerDay)} per day",
            $"{ReportFormat.Number(figures.DeploymentFrequency.PerWeek)} per week · {report.BasisOf(nameof(DoraFigures.DeploymentFrequency))}", DeploymentFrequency.Definition);
        Figure(html, "lead-time", "Lead time for changes (median)", ReportFormat.Duration(figures.LeadTimeForChanges.Median),
            report.BasisOf(nameof(DoraFigures.LeadTimeForChanges)), LeadTimeForChanges.Definition);
        Figure(html, "change-failure-rate", "Change failure rate", ReportFormat.Percent(figures.ChangeFailureRate.Rate),
            report.BasisOf(nameof(DoraFigures.ChangeFailureRate)), ChangeFailureRate.Definition);
        Figure(html, "time-to-restore", "Time to restore (median)", ReportFormat.Duration(figures.TimeToRestore.Median),
            report.BasisOf(nameof(DoraFigures.TimeToRestore)), TimeToRestore.Definition);
        html.Append("</div>\n");
    }

    static void Timeline(StringBuilder html, DeploymentReport report)
    {
        html.Append("<h2>Deployments and rollbacks <span class=\"note\">(newest first)</span></h2>\n");
        if (report.Timeline.Count == 0)
        {
            html.Append($"<p class=\"empty\">No deployment of {E(report.Environment)} is recorded yet: <code>./build.sh Deploy --environment {E(report.Environment)}</code> makes the first.</p>\n");
            return;
        }
        html.Append("<table class=\"timeline\"><thead><tr><th>Started (UTC)</th><th>Kind</th><th>Release</th><th>Version</th><th>Actor</th><th>Outcome</th><th>Duration</th></tr></thead>\n<tbody>\n");
        foreach (var entry in report.Timeline)
        {
            html.Append($"<tr class=\"deployment\" data-id=\"{E(entry.Id)}\" data-outcome=\"{E(entry.Outcome)}\">")
                .Append($"<td class=\"time\">{E(ReportFormat.Time(entry.StartedAt))}</td>")
                .Append($"<td>{(entry.IsDeploy ? "deploy" : "↩ " + E(entry.Kind))}</td>")
                .Append($"<td><code>{E(entry.Release ?? "?")}</code></td>")
                .Append($"<td>{E(entry.Version ?? "–")}</td>")
                .Append($"<td>{E(entry.Actor ?? "–")}</td>")
                .Append($"<td>{Badge(entry)}{(entry.UndoneBy is null ? "" : "<div class=\"undone\">rolled back later</div>")}</td>")
                .Append($"<td class=\"num\">{E(ReportFormat.Duration(entry.Duration))}</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    static string Badge(TimelineEntry entry)
    {
        var known = ReportedOutcomes.IsKnown(entry.Outcome) || entry.Category == OutcomeCategory.Unfinished;
        var css = known ? entry.Outcome : "unknown";
        return $"<span class=\"outcome {E(css)}\" title=\"{E(Meaning(entry))}\">{E(entry.Outcome.Replace('_', ' '))}</span>";
    }

    static string Meaning(TimelineEntry entry) => entry.IsChangeFailure
        ? "counts as a change failure"
        : entry.Category switch
        {
            OutcomeCategory.Success => "counts as a success",
            OutcomeCategory.Unfinished => "no outcome yet",
            _ => "counted neither as a success nor as a change failure",
        };

    static void Card(StringBuilder html, string title, string value, string? detail) =>
        html.Append($"<div class=\"card\"><h3>{E(title)}</h3><div class=\"value\">{E(value)}</div>{(detail is null ? "" : $"<div class=\"basis\">{E(detail)}</div>")}</div>");

    static void Figure(StringBuilder html, string id, string title, string value, string basis, string definition) =>
        html.Append($"<div class=\"card figure\" id=\"{id}\"><h3>{E(title)}</h3><div class=\"value\">{E(value)}</div><div class=\"basis\">{E(basis)}</div><p class=\"definition\">{E(definition)}</p></div>");

    static string E(string text) => HtmlEncode(text);
}
