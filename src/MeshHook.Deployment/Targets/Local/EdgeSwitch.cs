using System.Net.Http.Json;
using System.Text.Json;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// Points the edge at a release: writes its state file atomically (temp file renamed over it), then polls the edge's
/// <c>/_edge/status</c> until it reports the new release, so the switch is known to have taken effect.
/// </summary>
public sealed class EdgeSwitch(string stateFile, Uri edgeUrl, HttpClient http, TimeProvider time)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task SwitchAsync(string release, Uri upstream, CancellationToken cancellationToken)
    {
        var state = new EdgeState(release, upstream.ToString().TrimEnd('/'), time.GetUtcNow());
        var temporary = stateFile + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(state, Json), cancellationToken);
        File.Move(temporary, stateFile, overwrite: true);

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(15);
        string? seen = null;
        while (time.GetUtcNow() < deadline)
        {
            seen = await ActiveReleaseAsync(cancellationToken);
            if (seen == release)
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
        throw new Tooling.UserFacingException($"The edge at {edgeUrl} did not switch to {release} within 15 s (it reports {seen ?? "nothing"}).");
    }

    /// <summary>The release the edge serves now, or null when it does not answer.</summary>
    public async Task<string?> ActiveReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var status = await http.GetFromJsonAsync<EdgeState>(new Uri(edgeUrl, "/_edge/status"), Json, timeout.Token);
            return status?.Release;
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public EdgeState? Read()
    {
        try
        {
            return File.Exists(stateFile) ? JsonSerializer.Deserialize<EdgeState>(File.ReadAllText(stateFile), Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The edge's state file: which release it forwards to, and where that release listens.</summary>
public sealed record EdgeState(string Release, string Upstream, DateTimeOffset SwitchedAt);
