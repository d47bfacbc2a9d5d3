using MeshHook.Tooling;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// Environment names as people type them, and which environments a repository has: every folder
/// <c>infra/environments/&lt;name&gt;/</c> with a well-formed name and an <c>environment.json</c>.
/// </summary>
public static class EnvironmentNames
{
    public const string EnvironmentsFolder = "infra/environments";

    /// <summary>local, dev, staging, production: the environments with rules of their own.</summary>
    public static IReadOnlyList<EnvironmentName> WellKnown => EnvironmentName.WellKnown;

    /// <summary>The name of the environment's folder and of the environment in messages: <c>production</c>.</summary>
    public static string ToText(this EnvironmentName environment) => environment.Text;

    /// <summary>Checks the form of a name only (see <see cref="EnvironmentName.Pattern"/>); nothing is read.</summary>
    public static bool TryParse(string? text, out EnvironmentName environment) => EnvironmentName.TryCreate(text, out environment, out _);

    /// <inheritdoc cref="EnvironmentName.Create"/>
    public static EnvironmentName Parse(string? text) => EnvironmentName.Create(text);

    /// <summary>The environments of the repository: folders of infra/environments/ with a valid name and an environment.json, sorted.</summary>
    public static IReadOnlyList<EnvironmentName> Existing(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, EnvironmentsFolder);
        if (!Directory.Exists(folder))
            return [];
        return Directory.EnumerateDirectories(folder)
            .Select(Path.GetFileName)
            .Select(x => TryParse(x, out var environment) ? environment : (EnvironmentName?)null)
            .OfType<EnvironmentName>()
            .Where(x => File.Exists(Path.Combine(folder, x.Text, "environment.json")))
            .OrderBy(x => x.IsWellKnown ? WellKnown.ToList().IndexOf(x) : int.MaxValue)
            .ThenBy(x => x.Text, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A typed name checked for form, then for having its folder in the repository.</summary>
    /// <exception cref="EnvironmentConfigurationException">Malformed, or no such environment (the message lists those that exist).</exception>
    public static EnvironmentName Resolve(string repositoryRoot, string? text)
    {
        var environment = Parse(text);
        if (!File.Exists(Path.Combine(repositoryRoot, EnvironmentsFolder, environment.Text, "environment.json")))
            throw Unknown(repositoryRoot, environment);
        return environment;
    }

    /// <summary>The error for an environment whose environment.json is not there: which exist, the closest, and how to make one.</summary>
    public static EnvironmentConfigurationException Unknown(string repositoryRoot, EnvironmentName environment)
    {
        var existing = Existing(repositoryRoot).Select(x => x.Text).ToList();
        var relative = EnvironmentConfiguration.RelativePath(environment);
        return new EnvironmentConfigurationException(
            $"{relative}: not found (looked in {Path.GetFullPath(Path.Combine(repositoryRoot, relative))}), so there is no environment '{environment.Text}'. " +
            $"Environments here: {(existing.Count == 0 ? "none" : string.Join(", ", existing))}." +
            NameSuggestions.DidYouMean(environment.Text, existing) +
            $" To create one, copy a folder of {EnvironmentsFolder}/ to {EnvironmentsFolder}/{environment.Text}/ and edit its environment.json " +
            $"(checked against {EnvironmentConfiguration.SchemaFile}; an ssh target runs on your own servers).");
    }
}
