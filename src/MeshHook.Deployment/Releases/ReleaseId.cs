using System.Globalization;
using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Releases;

/// <summary>
/// A release's id: UTC creation time then the commit, e.g. <c>20261130-064512-a1b2c3d4e5f6</c>. Sorts by time as text,
/// names its commit, and is a valid container image tag and directory name.
/// </summary>
public sealed partial record ReleaseId(string Value) : IComparable<ReleaseId>
{
    [GeneratedRegex("^[0-9]{8}-[0-9]{6}-[0-9a-f]{7,40}(-[0-9]+)?$")]
    private static partial Regex Pattern();

    public static ReleaseId Create(DateTimeOffset createdAt, string commit, int sequence = 0)
    {
        var shortCommit = commit.Length > 12 ? commit[..12] : commit;
        var value = createdAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + shortCommit.ToLowerInvariant();
        return new ReleaseId(sequence > 0 ? $"{value}-{sequence}" : value);
    }

    public static bool IsValid(string value) => Pattern().IsMatch(value);

    public static ReleaseId Parse(string value) =>
        IsValid(value)
            ? new ReleaseId(value)
            : throw new FormatException($"'{value}' is not a release id (expected yyyyMMdd-HHmmss-<commit>, e.g. 20261130-064512-a1b2c3d4e5f6).");

    public int CompareTo(ReleaseId? other) => string.CompareOrdinal(Value, other?.Value);

    public override string ToString() => Value;
}
