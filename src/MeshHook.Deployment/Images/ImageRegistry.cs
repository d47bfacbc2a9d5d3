using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Images;

/// <summary>
/// The registry an environment's images go to: <c>MESHHOOK_REGISTRY</c> when set (CI pointing at another registry, a
/// registry on this machine), else the environment's <c>target.registry</c>.
/// </summary>
public static partial class ImageRegistry
{
    public const string Variable = "MESHHOOK_REGISTRY";

    const string AcrSuffix = ".azurecr.io";

    /// <summary>The registry's login server; a missing or malformed one is an error naming both places to set it.</summary>
    public static string Resolve(EnvironmentName environment, TargetOptions target, IReadOnlyDictionary<string, string> variables)
    {
        var file = EnvironmentConfiguration.RelativePath(environment);
        if (variables.TryGetValue(Variable, out var value) && !string.IsNullOrWhiteSpace(value))
        {
            value = value.Trim();
            return LoginServer().IsMatch(value)
                ? value
                : throw new ImageException(
                    $"{Variable}='{value}' is not a registry login server: write host[:port] without scheme or path, " +
                    "e.g. crmeshhookdevmh01.azurecr.io or 127.0.0.1:5000.");
        }
        if (target.Registry is { } registry)
            return registry;
        if (target.Kind == TargetKind.Ssh)
            throw new ImageException(
                $"The {environment.ToText()} environment runs releases from their archives on its own servers (target.kind ssh): images are for cloud " +
                "environments (--environment dev, staging or production, whose target.registry names their registry). " +
                $"To build images for another registry anyway, set {Variable}=<login server>.");
        if (target.Kind == TargetKind.Local)
            throw new ImageException(
                $"The {environment.ToText()} environment runs releases from their archives on this machine: images are for cloud " +
                "environments (--environment dev, staging or production, whose target.registry names their registry). " +
                $"To build images for another registry anyway, set {Variable}=<login server>.");
        throw new ImageException(
            $"No registry for {environment.ToText()}'s images: set target.registry in {file} (e.g. \"crmeshhookdevmh01.azurecr.io\") " +
            $"or the environment variable {Variable}.");
    }

    /// <summary>The Azure Container Registry's name (<c>crmeshhookdevmh01</c> of <c>crmeshhookdevmh01.azurecr.io</c>); null for other registries.</summary>
    public static string? AcrName(string registry) =>
        registry.EndsWith(AcrSuffix, StringComparison.Ordinal) && registry.Length > AcrSuffix.Length
            ? registry[..^AcrSuffix.Length]
            : null;

    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LoginServer();
}
