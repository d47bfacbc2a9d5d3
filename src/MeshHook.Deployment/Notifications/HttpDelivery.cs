using System.Net;

namespace MeshHook.Deployment.Notifications;

/// <summary>What an HTTP receiver's answer means for a delivery: done, try again (5xx, 408, 429) or give up (other 4xx).</summary>
static class HttpDelivery
{
    public static async Task EnsureDeliveredAsync(HttpResponseMessage response, string channel, TimeProvider time, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var detail = $"{channel} answered {(int)response.StatusCode} {response.ReasonPhrase}{(body.Length == 0 ? "" : $": {body[..Math.Min(body.Length, 200)]}")}";
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            throw new NotificationThrottledException(detail, RetryAfter(response, time) ?? TimeSpan.FromSeconds(1));
        if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
            throw new HttpRequestException(detail, null, response.StatusCode);
        throw new NotificationRejectedException(detail);
    }

    static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
}
