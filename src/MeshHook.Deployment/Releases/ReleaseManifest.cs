using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Releases;

/// <summary><c>release.json</c>: what a release is, where it came from, and the checksum of every artifact.</summary>
public sealed record ReleaseManifest
{
    public const string FileName = "release.json";
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string Id { get; init; }
    public required string Version { get; init; }
    public required string Commit { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string Builder { get; init; }
    public required bool Dirty { get; init; }
    public required IReadOnlyList<string> Migrations { get; init; }
    public required IReadOnlyList<ReleaseArtifact> Artifacts { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    public static ReleaseManifest Load(string path)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ReleaseManifest>(File.ReadAllText(path), JsonOptions)
                           ?? throw new ReleaseException($"{path} is empty.");
            if (manifest.SchemaVersion != CurrentSchemaVersion)
                throw new ReleaseException($"{path}: schemaVersion {manifest.SchemaVersion} is not supported (expected {CurrentSchemaVersion}).");
            return manifest;
        }
        catch (JsonException exception)
        {
            throw new ReleaseException($"{path}:{exception.LineNumber + 1}: malformed release manifest: {exception.Message.Split(" Path:")[0]}");
        }
    }
}

/// <summary>One archive of a release, with its SHA-256 and size.</summary>
public sealed record ReleaseArtifact(string Name, string File, string Sha256, long Size);
