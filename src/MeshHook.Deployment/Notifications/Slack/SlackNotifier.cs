using System.Net.Http.Headers;
using System.Text;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications.Slack;

/// <summary>Posts each announcement to a Slack incoming webhook; a 429 is retried after its Retry-After by the dispatcher.</summary>
public sealed class SlackNotifier(SlackOptions options, HttpClient http, SecretMasker masker, TimeProvider time) : INotifier
{
    public string Name => "slack";

    public string Preview(Announcement announcement) => masker.Apply(Payload(announcement));

    public async Task SendAsync(Announcement announcement, CancellationToken cancellationToken)
    {
        using var content = new StringContent(Preview(announcement), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await http.PostAsync(options.WebhookUrl, content, cancellationToken);
        await HttpDelivery.EnsureDeliveredAsync(response, Name, time, cancellationToken);
    }

    // Masked value by value before serialising: JSON escaping would hide a secret from the masker.
    string Payload(Announcement announcement) => MaskedJson.Serialize(SlackMessage.Build(announcement), Json.Options, masker);
}
