using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// Request model: a new revision of an app with <paramref name="Image"/> in container <paramref name="Container"/> (the
/// app's only container when null), named <c>{app}--{suffix}</c>, at 0 % traffic, with <paramref name="Label"/> if given.
/// </summary>
public sealed partial record NewRevision(string Image, string Suffix, string? Label = null, string? Container = null)
{
    /// <summary>ARM's limit on a revision name (<c>{app}--{suffix}</c>).</summary>
    public const int MaxRevisionNameLength = 54;

    /// <summary>
    /// The suffix for a release: <c>r</c> + its time + 7 hex of its commit (+ its sequence), e.g. release
    /// 20261130-064512-a1b2c3d4e5f6 → r20261130064512-a1b2c3d. A suffix starts with a letter and has no "--".
    /// </summary>
    public static string SuffixFor(string releaseId)
    {
        var match = ReleasePattern().Match(releaseId);
        if (!match.Success)
            throw new ContainerAppsException($"'{releaseId}' is not a release id (expected yyyyMMdd-HHmmss-<commit>): no revision suffix can be made from it.");
        var commit = match.Groups["commit"].Value;
        return $"r{match.Groups["date"].Value}{match.Groups["time"].Value}-{commit[..Math.Min(7, commit.Length)]}{match.Groups["sequence"].Value}";
    }

    internal void Validate(ContainerAppId app)
    {
        if (!SuffixPattern().IsMatch(Suffix) || Suffix.Contains("--", StringComparison.Ordinal))
            throw new ContainerAppsException(
                $"'{Suffix}' is not a revision suffix: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, no '--'.");
        var name = app.RevisionName(Suffix);
        if (name.Length > MaxRevisionNameLength)
            throw new ContainerAppsException($"The revision name '{name}' has {name.Length} characters; ARM allows {MaxRevisionNameLength}. Use a shorter suffix.");
        if (Label is not null && !LabelPattern().IsMatch(Label))
            throw new ContainerAppsException($"'{Label}' is not a traffic label: lower-case letters, digits and '-', starting with a letter.");
        if (string.IsNullOrWhiteSpace(Image))
            throw new ContainerAppsException($"No image given for the new revision of {app.Name}.");
    }

    [GeneratedRegex("^(?<date>[0-9]{8})-(?<time>[0-9]{6})-(?<commit>[0-9a-f]{7,40})(?<sequence>-[0-9]+)?$")]
    private static partial Regex ReleasePattern();

    [GeneratedRegex("^[a-z][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex SuffixPattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    internal static partial Regex LabelPattern();
}
