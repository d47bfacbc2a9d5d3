using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Notifications.Slack;

/// <summary>
/// The Block Kit message of an announcement: a header (outcome, application, release, environment), fields (environment,
/// commit linked, actor, duration, migrations, previous release), a context with the run's link, and a <c>text</c>
/// fallback for notifications. Within Slack's limits: at most 50 blocks, header text 150 chars, section and field text
/// 3000/2000 chars, at most 10 fields.
/// </summary>
public static class SlackMessage
{
    public const int MaxBlocks = 50, MaxHeader = 150, MaxSectionText = 3000, MaxFieldText = 2000, MaxFields = 10, MaxFallback = 4000;

    public static JsonObject Build(Announcement a)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Cut(a.Title, MaxHeader)) },
        };
        var lead = a.Kind switch
        {
            AnnouncementKind.Warning => a.Warning,
            AnnouncementKind.RolledBack => $"{a.PreviousRelease ?? "The previous release"} is serving again; {a.Release} failed{(a.Stage is null ? "" : $" at *{a.Stage}*")}: {a.Error}",
            AnnouncementKind.Failed or AnnouncementKind.Cancelled when a.Error is not null => $"Failed{(a.Stage is null ? "" : $" at *{a.Stage}*")}: {a.Error}",
            _ => null,
        };
        if (lead is not null)
            blocks.Add(Section(Cut(Escape(lead), MaxSectionText)));

        var fields = new JsonArray
        {
            Field("Environment", a.EnvironmentUrl is null ? a.Environment : $"<{a.EnvironmentUrl}|{Escape(a.Environment)}>"),
            Field("Release", a.Version is null ? a.Release : $"{a.Version} ({a.Release})"),
            Field("Commit", a.Commit is null ? "unknown" : a.CommitUrl is { } url ? $"<{url}|{a.Commit[..Math.Min(12, a.Commit.Length)]}>" : a.Commit[..Math.Min(12, a.Commit.Length)]),
            Field("Actor", a.Actor),
            Field("Duration", a.Duration is { } d ? Announcement.FormatDuration(d) : "—"),
            Field("Migrations applied", a.Migrations.Count == 0 ? "none" : string.Join(", ", a.Migrations)),
            Field("Previous release", a.PreviousRelease ?? "none"),
        };
        blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
        var context = $"{a.DeploymentKind} {a.DeploymentId}" + (a.RunUrl is null ? "" : $" · <{a.RunUrl}|run log>");
        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(context, MaxSectionText) }) });

        return new JsonObject { ["text"] = Cut(a.Summary(), MaxFallback), ["blocks"] = blocks };
    }

    static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    static JsonObject Section(string markdown) => new() { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = markdown } };

    static JsonObject Field(string name, string value) => new() { ["type"] = "mrkdwn", ["text"] = Cut($"*{name}*\n{value}", MaxFieldText) };

    /// <summary>Slack reads &amp;, &lt; and &gt; as markup: text from errors is escaped.</summary>
    static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
