using System.Net.Http.Json;
using System.Text.Json;

namespace MeshHook.Deployment.Health;

/// <summary>
/// Polls a /health endpoint until it reports <c>status: ok</c> with the expected version, or the timeout passes. Time
/// comes from a <see cref="TimeProvider"/> so tests of timeouts never sleep for real.
/// </summary>
public sealed class HealthProbe(HttpClient http, TimeProvider time)
{
    public async Task<HealthReport> GetAsync(Uri url, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);
        try
        {
            using var response = await http.GetAsync(url, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            string? status = null, version = null;
            try
            {
                using var json = JsonDocument.Parse(body);
                status = json.RootElement.TryGetProperty("status", out var s) ? s.GetString() : null;
                version = json.RootElement.TryGetProperty("version", out var v) ? v.GetString() : null;
            }
            catch (JsonException)
            {
            }
            return new HealthReport((int)response.StatusCode, status, version, Truncate(body), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthReport(null, null, null, null, $"no answer from {url} within {requestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException exception)
        {
            return new HealthReport(null, null, null, null, $"{url}: {exception.Message}");
        }
    }

    /// <summary>
    /// Polls until healthy at <paramref name="version"/>; returns the last report either way. The first polls come quickly
    /// (100 ms, doubling up to the configured interval): a process that starts in 300 ms is not kept waiting a whole second.
    /// </summary>
    /// <param name="giveUp">Checked before each poll: true stops waiting at once (the process behind the URL has exited).</param>
    public async Task<(bool Healthy, HealthReport Last)> WaitAsync(Uri url, string version, HealthOptions options, CancellationToken cancellationToken,
        Func<bool>? giveUp = null)
    {
        var deadline = time.GetUtcNow() + options.Timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var report = await GetAsync(url, options.RequestTimeout, cancellationToken);
            if (report.IsHealthyAt(version))
                return (true, report);
            if (time.GetUtcNow() >= deadline || giveUp?.Invoke() == true)
                return (false, report);
            delay = delay < options.Interval ? delay : options.Interval;
            await Task.Delay(delay, time, cancellationToken);
            delay *= 2;
        }
    }

    static string Truncate(string body) => body.Length <= 500 ? body : body[..500] + "…";
}

/// <summary>
/// How to poll: every <see cref="Interval"/>, each request limited to <see cref="RequestTimeout"/>, giving up after
/// <see cref="Timeout"/>; <see cref="Path"/> is the web app's health endpoint (health.path of environment.json).
/// </summary>
public sealed record HealthOptions(TimeSpan Interval, TimeSpan Timeout, TimeSpan RequestTimeout)
{
    public string Path { get; init; } = "/health";
}
