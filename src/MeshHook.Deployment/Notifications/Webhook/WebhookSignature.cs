using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MeshHook.Deployment.Notifications.Webhook;

/// <summary>
/// How a webhook is signed: <c>X-MeshHook-Timestamp</c> = Unix seconds, <c>X-MeshHook-Signature</c> =
/// <c>sha256=</c> + hex HMAC-SHA256 with the shared secret over <c>timestamp + "." + body</c>. A receiver recomputes it
/// (constant-time compare) to reject forgeries, and rejects a timestamp older than its tolerance (5 minutes) to reject
/// replays; <c>X-MeshHook-Delivery</c> is unique per message for de-duplication.
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-MeshHook-Timestamp", SignatureHeader = "X-MeshHook-Signature", DeliveryHeader = "X-MeshHook-Delivery",
        EventHeader = "X-MeshHook-Event";

    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>Whether a received message is authentic and fresh.</summary>
    public static bool Verify(string secret, string? timestamp, string body, string? signature, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signature is null)
            return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, seconds, body)), Encoding.ASCII.GetBytes(signature));
    }
}
