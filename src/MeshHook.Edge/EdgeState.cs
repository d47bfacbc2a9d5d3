using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshHook.Edge;

/// <summary>
/// The state file the deployer writes (temp file + atomic rename):
/// <c>{ "release": "&lt;id&gt;", "upstream": "http://127.0.0.1:43121", "switchedAt": "2025-01-01T00:00:00Z" }</c>.
/// Unknown properties are ignored; <c>switchedAt</c> is optional and passed through as text.
/// </summary>
internal sealed record EdgeState(string Release, Uri Upstream, string? SwitchedAt)
{
    public const int MaxReleaseLength = 200;

    /// <summary>Parses and validates the file's bytes; throws <see cref="EdgeStateException"/> with a clear reason.</summary>
    public static EdgeState Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new EdgeStateException("the file is empty");
        }

        StateFileDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(utf8, EdgeJsonContext.Default.StateFileDocument);
        }
        catch (JsonException ex)
        {
            throw new EdgeStateException($"not valid JSON: {ex.Message}");
        }

        if (doc is null)
        {
            throw new EdgeStateException("expected a JSON object, found null");
        }

        if (string.IsNullOrWhiteSpace(doc.Release))
        {
            throw new EdgeStateException("'release' is missing or empty");
        }

        if (doc.Release.Length > MaxReleaseLength || doc.Release.Any(char.IsControl))
        {
            throw new EdgeStateException($"'release' must be at most {MaxReleaseLength} printable characters");
        }

        if (string.IsNullOrWhiteSpace(doc.Upstream))
        {
            throw new EdgeStateException("'upstream' is missing or empty");
        }

        if (!Uri.TryCreate(doc.Upstream, UriKind.Absolute, out var upstream)
            || (upstream.Scheme != Uri.UriSchemeHttp && upstream.Scheme != Uri.UriSchemeHttps)
            || upstream.Query.Length > 0 || upstream.Fragment.Length > 0 || upstream.UserInfo.Length > 0)
        {
            throw new EdgeStateException($"'upstream' must be an absolute http(s) URL without query or credentials, not '{doc.Upstream}'");
        }

        return new EdgeState(doc.Release, upstream, doc.SwitchedAt);
    }
}

/// <summary>The state file could not be used; the message is the reason.</summary>
internal sealed class EdgeStateException(string message) : Exception(message);

internal sealed class StateFileDocument
{
    public string? Release { get; set; }
    public string? Upstream { get; set; }
    public string? SwitchedAt { get; set; }
}

/// <summary>What <c>GET /_edge/status</c> answers.</summary>
internal sealed record EdgeStatus(
    string? Release,
    string? Upstream,
    string? SwitchedAt,
    DateTimeOffset? LoadedAt,
    int Pid,
    DateTimeOffset StartedAt,
    string StateFile,
    string? StateError);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(StateFileDocument))]
[JsonSerializable(typeof(EdgeStatus))]
internal sealed partial class EdgeJsonContext : JsonSerializerContext;
