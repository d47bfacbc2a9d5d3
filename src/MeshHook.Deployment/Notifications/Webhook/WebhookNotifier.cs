using System.Text;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications.Webhook;

/// <summary>POSTs the JSON announcement, signed (<see cref="WebhookSignature"/>) over the exact bytes sent.</summary>
public sealed class WebhookNotifier(WebhookOptions options, HttpClient http, SecretMasker masker, TimeProvider time) : INotifier
{
    public string Name => "webhook";

    public string Preview(Announcement announcement) => Body(announcement);

    public async Task SendAsync(Announcement announcement, CancellationToken cancellationToken)
    {
        var body = Body(announcement);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(options.SigningSecret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, Guid.NewGuid().ToString("N"));
        request.Headers.Add(WebhookSignature.EventHeader, WebhookPayload.EventName(announcement.Kind));
        using var response = await http.SendAsync(request, cancellationToken);
        await HttpDelivery.EnsureDeliveredAsync(response, Name, time, cancellationToken);
    }

    string Body(Announcement announcement) => MaskedJson.Serialize(WebhookPayload.Build(announcement), Json.Options, masker);
}
