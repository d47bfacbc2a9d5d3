using MeshHook.Deployment.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>The provider an environment's <c>secrets</c> section names.</summary>
public static class SecretProviders
{
    /// <param name="variables">The process environment (env provider values; the file store's key variables).</param>
    /// <param name="masker">Every value handed out is registered here first.</param>
    public static ISecretProvider Create(EnvironmentConfiguration environment, string repositoryRoot, IReadOnlyDictionary<string, string> variables,
        SecretMasker masker, TimeProvider? time = null) => environment.Secrets.Provider switch
    {
        SecretProviderKind.Env => new EnvironmentVariableSecretProvider(environment.Name, environment.Secrets.Prefix, variables, masker),
        SecretProviderKind.File => SecretStore.Open(repositoryRoot, environment.Name, variables, masker, time),
        SecretProviderKind.KeyVault => new KeyVaultSecretProvider(environment.Name, environment.Secrets.VaultUrl!),
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment.Secrets.Provider, "Unknown secrets provider."),
    };

    /// <summary>The process's environment variables, as <see cref="Create"/> wants them.</summary>
    public static IReadOnlyDictionary<string, string> ProcessVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        return variables;
    }
}
