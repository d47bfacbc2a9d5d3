using MeshHook.Deployment.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// <c>"secrets": { "provider": "env", "prefix": "MESHHOOK_DEV_" }</c>: the secret NAME is the environment variable
/// <c>&lt;prefix&gt;NAME</c> (e.g. a GitHub environment secret mapped into the job's <c>env:</c>).
/// </summary>
public sealed class EnvironmentVariableSecretProvider(
    EnvironmentName environment, string? prefix, IReadOnlyDictionary<string, string> variables, SecretMasker masker) : ISecretProvider
{
    public string Description => $"environment variables ({(prefix is null ? "NAME" : prefix + "NAME")})";

    public string VariableFor(string name) => (prefix ?? string.Empty) + name;

    /// <summary>Whether the variable is set, without reading (or masking) its value.</summary>
    public bool IsSet(string name) => variables.GetValueOrDefault(VariableFor(name)) is { Length: > 0 };

    public Task<string> GetAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var variable = VariableFor(name);
        if (variables.GetValueOrDefault(variable) is not { Length: > 0 } value)
            throw new SecretException(
                $"Secret {name} of {environment.ToText()} is not set: set the environment variable {variable} " +
                $"(secrets.provider is env in {EnvironmentConfiguration.RelativePath(environment)}).");
        return Task.FromResult(SecretValues.Mask(masker, name, value, $"{environment.ToText()}, environment variable {variable}"));
    }

    public string HowToSet(string name) => $"set the environment variable {VariableFor(name)} where the deployment runs";
}
