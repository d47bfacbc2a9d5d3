using System.Text.Json.Nodes;

namespace MeshHook.Deployment.Notifications.Webhook;

/// <summary>The JSON body of a webhook: the announcement's facts under stable camelCase names.</summary>
public static class WebhookPayload
{
    public static JsonObject Build(Announcement a) => new()
    {
        ["event"] = EventName(a.Kind),
        ["application"] = Announcement.Application,
        ["deploymentId"] = a.DeploymentId,
        ["kind"] = a.DeploymentKind,
        ["environment"] = a.Environment,
        ["release"] = a.Release,
        ["version"] = a.Version,
        ["commit"] = a.Commit,
        ["previousRelease"] = a.PreviousRelease,
        ["actor"] = a.Actor,
        ["at"] = a.At.ToString("O"),
        ["durationSeconds"] = a.Duration is { } d ? Math.Round(d.TotalSeconds, 1) : null,
        ["migrations"] = new JsonArray(a.Migrations.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        ["stage"] = a.Stage,
        ["error"] = a.Error,
        ["warning"] = a.Warning,
        ["environmentUrl"] = a.EnvironmentUrl?.ToString(),
        ["runUrl"] = a.RunUrl?.ToString(),
        ["summary"] = a.Title,
    };

    public static string EventName(AnnouncementKind kind) => kind switch
    {
        AnnouncementKind.Started => "deployment.started",
        AnnouncementKind.Succeeded => "deployment.succeeded",
        AnnouncementKind.Failed => "deployment.failed",
        AnnouncementKind.RolledBack => "deployment.rolled_back",
        AnnouncementKind.Cancelled => "deployment.cancelled",
        _ => "deployment.warning",
    };
}
