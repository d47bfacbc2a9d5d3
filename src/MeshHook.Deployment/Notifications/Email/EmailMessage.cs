using MimeKit;

namespace MeshHook.Deployment.Notifications.Email;

/// <summary>
/// The mail of an announcement: subject <c>[meshhook][&lt;env&gt;] Deploy &lt;release&gt; &lt;OUTCOME&gt;</c>, text and HTML
/// parts, <c>Auto-Submitted: auto-generated</c> (RFC 3834: no vacation replies), <c>List-Id</c> (RFC 2919: one list per
/// environment, for filters), and a thread per deployment: the start's Message-Id is derived from the deployment id, and
/// every later mail of that deployment refers to it (<c>In-Reply-To</c>, <c>References</c>), so they need no shared state.
/// </summary>
public static class EmailMessage
{
    public const string Domain = "deploy.meshhook.invalid";

    public static string ThreadId(string deploymentId) => $"{deploymentId}.started@{Domain}";

    public static string Subject(Announcement a) =>
        $"[{Announcement.Application}][{a.Environment}] {a.Verb} {a.Version ?? a.Release} {a.OutcomeWord}";

    public static MimeMessage Build(Announcement a, EmailOptions options, Func<string, string> mask)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        foreach (var to in options.To)
            message.To.Add(MailboxAddress.Parse(to));
        message.Subject = mask(Subject(a));
        message.Date = a.At;
        message.MessageId = a.Kind == AnnouncementKind.Started
            ? ThreadId(a.DeploymentId)
            : $"{a.DeploymentId}.{a.Kind.ToString().ToLowerInvariant()}.{Guid.NewGuid():N}@{Domain}";
        if (a.Kind != AnnouncementKind.Started)
        {
            message.InReplyTo = ThreadId(a.DeploymentId);
            message.References.Add(ThreadId(a.DeploymentId));
        }
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("List-Id", $"MeshHook {a.Environment} deployments <{a.Environment}.{Domain}>");
        message.Headers.Add("X-MeshHook-Deployment", a.DeploymentId);

        var text = mask(a.Summary());
        var builder = new BodyBuilder { TextBody = text, HtmlBody = Html(a, mask) };
        message.Body = builder.ToMessageBody();
        return message;
    }

    static string Html(Announcement a, Func<string, string> mask)
    {
        static string E(string text) => System.Net.WebUtility.HtmlEncode(text);
        var rows = mask(a.Summary()).Split('\n').Skip(1).Select(line =>
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            return colon < 0 ? $"<tr><td colspan=\"2\">{E(line)}</td></tr>" : $"<tr><th align=\"left\">{E(line[..colon])}</th><td>{E(line[(colon + 2)..])}</td></tr>";
        });
        var links = string.Join(" · ", new[] { (a.RunUrl, "Run log"), (a.EnvironmentUrl, "Open the environment") }
            .Where(x => x.Item1 is not null).Select(x => $"<a href=\"{E(mask(x.Item1!.ToString()))}\">{x.Item2}</a>"));
        return $"<!doctype html><html><body><h2>{E(mask(a.Title))}</h2><table>{string.Concat(rows)}</table><p>{links}</p></body></html>";
    }
}
