using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications.Email;

/// <summary>
/// Email over SMTP (<c>notifications[].kind = "email"</c>): settings <c>smtpUrl</c> (a secret reference when it holds a
/// password: <c>smtp://user:password@host:587</c>, or <c>smtps://</c> for TLS from the start; plain <c>smtp://</c> upgrades with
/// STARTTLS whenever the server offers it), <c>to</c> (a list of addresses) and optionally <c>from</c>.
/// Or for one run: <c>SMTP_URL</c> + <c>NOTIFY_EMAIL_TO</c>.
/// </summary>
public sealed record EmailOptions(string Host, int Port, bool TlsOnConnect, string? User, string? Password, IReadOnlyList<string> To, string From)
{
    public const string DefaultFrom = "meshhook-deploy@localhost";

    /// <summary><paramref name="to"/>: addresses separated by commas (NOTIFY_EMAIL_TO).</summary>
    public static EmailOptions Parse(string smtpUrl, string to, string? from, string where) =>
        Parse(smtpUrl, to.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), from, where);

    public static EmailOptions Parse(string smtpUrl, IReadOnlyList<string> to, string? from, string where)
    {
        if (!Uri.TryCreate(smtpUrl, UriKind.Absolute, out var url) || url.Scheme is not ("smtp" or "smtps") || url.Host.Length == 0)
            throw new UserFacingException($"{where}: the SMTP URL is not smtp://[user:password@]host[:port] or smtps://...");
        var recipients = to.ToList();
        if (recipients.Count == 0 || recipients.Any(x => !MimeKit.MailboxAddress.TryParse(x, out _)))
            throw new UserFacingException($"{where}: '{string.Join(", ", to)}' is not a list of email addresses.");
        string? user = null, password = null;
        if (url.UserInfo.Length > 0)
        {
            var parts = url.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        var tls = url.Scheme == "smtps";
        return new EmailOptions(url.Host, url.IsDefaultPort ? (tls ? 465 : 587) : url.Port, tls, user, password, recipients, from ?? DefaultFrom);
    }
}
