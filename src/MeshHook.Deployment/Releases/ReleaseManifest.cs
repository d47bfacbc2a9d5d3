using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Releases;

/// <summary><c>release.json</c>: what a release is, where it came from, and the checksum of every artifact.</summary>
public sealed partial record ReleaseManifest
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

    /// <summary>An artifact's name becomes a folder name (releases/&lt;id&gt;/&lt;name&gt;), so it is a word, never a path.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    public static partial Regex ArtifactNamePattern();

    /// <summary>A plain file name: no separators, no leading dot (so never "." or "..").</summary>
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$")]
    private static partial Regex PlainFileName();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-f]{7,64}$")]
    private static partial Regex CommitPattern();

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    /// <summary>Reads and strictly validates a release.json (see <see cref="Validate"/>); any problem is an error naming the file and field.</summary>
    public static ReleaseManifest Load(string path)
    {
        ReleaseManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ReleaseManifest>(File.ReadAllText(path), JsonOptions)
                       ?? throw new ReleaseException($"{path} is empty.");
        }
        catch (JsonException exception)
        {
            throw new ReleaseException($"{path}:{exception.LineNumber + 1}: malformed release manifest: {exception.Message.Split(" Path:")[0]}");
        }
        manifest.Validate(path);
        return manifest;
    }

    /// <summary>
    /// Refuses a manifest whose fields could be used as paths or are not what the packager writes: unknown schemaVersion,
    /// an id not in the release-id format, artifact names outside <see cref="ArtifactNamePattern"/> or repeated, artifact
    /// files or migrations that are not plain file names, negative sizes, checksums that are not 64 lowercase hex digits.
    /// </summary>
    public void Validate(string source)
    {
        if (SchemaVersion != CurrentSchemaVersion)
            throw Invalid(source, "schemaVersion", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), $"only {CurrentSchemaVersion} is supported");
        if (Id is null || !ReleaseId.IsValid(Id))
            throw Invalid(source, "id", Id, "a release id: yyyyMMdd-HHmmss-<commit>, e.g. 20261130-064512-a1b2c3d4e5f6");
        if (Commit is null || !CommitPattern().IsMatch(Commit))
            throw Invalid(source, "commit", Commit, "7 to 64 lowercase hex digits");
        if (string.IsNullOrWhiteSpace(Version))
            throw Invalid(source, "version", Version, "a non-empty version, e.g. 1.4.2");
        if (Builder is null)
            throw Invalid(source, "builder", null, "who built the release, e.g. ci@runner");
        if (Migrations is null)
            throw Invalid(source, "migrations", null, "a list of migration file names (may be empty)");
        for (var i = 0; i < Migrations.Count; i++)
        {
            if (Migrations[i] is null || !PlainFileName().IsMatch(Migrations[i]))
                throw Invalid(source, $"migrations[{i}]", Migrations[i], "a plain file name (letters, digits, '_', '.', '+', '-'; no folders)");
        }
        if (Artifacts is null || Artifacts.Count == 0)
            throw Invalid(source, "artifacts", null, "at least one artifact");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Artifacts.Count; i++)
        {
            var artifact = Artifacts[i] ?? throw Invalid(source, $"artifacts[{i}]", null, "an object with name, file, sha256 and size");
            if (artifact.Name is null || !ArtifactNamePattern().IsMatch(artifact.Name))
                throw Invalid(source, $"artifacts[{i}].name", artifact.Name, "1-32 characters of a-z, 0-9 and '-', starting with a letter (e.g. web); it names a folder, never a path");
            if (!names.Add(artifact.Name))
                throw Invalid(source, $"artifacts[{i}].name", artifact.Name, "a name used by no other artifact");
            if (artifact.File is null || !PlainFileName().IsMatch(artifact.File))
                throw Invalid(source, $"artifacts[{i}].file", artifact.File, "a plain file name beside release.json (letters, digits, '_', '.', '+', '-'; no folders)");
            if (!files.Add(artifact.File))
                throw Invalid(source, $"artifacts[{i}].file", artifact.File, "a file used by no other artifact");
            if (artifact.Sha256 is null || !Sha256Pattern().IsMatch(artifact.Sha256))
                throw Invalid(source, $"artifacts[{i}].sha256", artifact.Sha256, "64 lowercase hex digits");
            if (artifact.Size < 0)
                throw Invalid(source, $"artifacts[{i}].size", artifact.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), "a size in bytes, 0 or more");
        }
    }

    static ReleaseException Invalid(string source, string field, string? value, string allowed) =>
        new($"{source}: {field} {(value is null ? "is missing" : $"'{value}' is not allowed")}: expected {allowed}. " +
            "The release was altered or written by something else: package it again with ./build.sh Package.");
}

/// <summary>One archive of a release, with its SHA-256 and size.</summary>
public sealed record ReleaseArtifact(string Name, string File, string Sha256, long Size);
