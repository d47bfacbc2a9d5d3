using MeshHook.Tooling;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>Environment names as people type them (<c>local</c>, <c>dev</c>, <c>staging</c>, <c>production</c>).</summary>
public static class EnvironmentNames
{
    public static IReadOnlyList<EnvironmentName> All { get; } = Enum.GetValues<EnvironmentName>();

    /// <summary>The name of the environment's folder and of the environment in messages: <c>production</c>.</summary>
    public static string ToText(this EnvironmentName environment) => environment.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out EnvironmentName environment)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToText(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                environment = candidate;
                return true;
            }
        }
        environment = default;
        return false;
    }

    /// <exception cref="EnvironmentConfigurationException">Not a known environment; the message lists the known ones.</exception>
    public static EnvironmentName Parse(string? text) =>
        TryParse(text, out var environment)
            ? environment
            : throw new EnvironmentConfigurationException(
                $"Unknown environment '{text}'. Known environments: {string.Join(", ", All.Select(x => x.ToText()))}." +
                NameSuggestions.DidYouMean(text ?? string.Empty, All.Select(x => x.ToText())));
}
