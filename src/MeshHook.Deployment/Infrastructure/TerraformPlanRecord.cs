using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>
/// Written beside a saved plan (<c>tfplan.record.json</c>): which environment and image tag it was made for, when,
/// a checksum of the plan file, and a fingerprint of the configuration it was made from. TerraformApply reads it to
/// refuse a plan that is missing, was made for another environment, was altered, or has gone stale.
/// </summary>
public sealed record TerraformPlanRecord
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Environment { get; init; }
    public required string ImageTag { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string PlanSha256 { get; init; }
    public required string ConfigurationSha256 { get; init; }
    public int Creates { get; init; }
    public int Updates { get; init; }
    public int Replaces { get; init; }
    public int Deletes { get; init; }

    public static TerraformPlanRecord? Read(string file)
    {
        if (!File.Exists(file))
            return null;
        try
        {
            return JsonSerializer.Deserialize<TerraformPlanRecord>(File.ReadAllText(file), Json);
        }
        catch (JsonException exception)
        {
            throw new InfrastructureException($"The plan record {file} is unreadable ({exception.Message}); run TerraformPlan again.");
        }
    }

    public void Write(string file)
    {
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, file, overwrite: true);
    }

    public static string FileSha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>One hash over the names (relative to <paramref name="root"/>) and contents of the files, in order.</summary>
    public static string ConfigurationFingerprint(string root, IEnumerable<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file).Replace('\\', '/') + "\n"));
            hash.AppendData(SHA256.HashData(File.ReadAllBytes(file)));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
