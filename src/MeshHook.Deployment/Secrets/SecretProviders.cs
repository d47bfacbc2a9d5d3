using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using MeshHook.Deployment.SignIn;
using MeshHook.Deployment.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>The provider an environment's <c>secrets</c> section names.</summary>
public static class SecretProviders
{
    /// <param name="variables">The process environment (env provider values; the file store's key variables).</param>
    /// <param name="masker">Every value handed out is registered here first.</param>
    /// <param name="credential">Key Vault's sign-in; by default <see cref="AzureCredentials.Create"/> from <paramref name="variables"/>.</param>
    /// <param name="keyVaultOptions">Key Vault client options (retries, transport); by default the SDK's.</param>
    public static ISecretProvider Create(EnvironmentConfiguration environment, string repositoryRoot, IReadOnlyDictionary<string, string> variables,
        SecretMasker masker, TimeProvider? time = null, TokenCredential? credential = null, SecretClientOptions? keyVaultOptions = null) =>
        environment.Secrets.Provider switch
        {
            SecretProviderKind.Env => new EnvironmentVariableSecretProvider(environment.Name, environment.Secrets.Prefix, variables, masker),
            SecretProviderKind.File => SecretStore.Open(repositoryRoot, environment.Name, variables, masker, time),
            SecretProviderKind.KeyVault => KeyVault(environment, variables, masker, time, credential, keyVaultOptions),
            _ => throw new ArgumentOutOfRangeException(nameof(environment), environment.Secrets.Provider, "Unknown secrets provider."),
        };

    /// <summary>The Key Vault of a <c>keyvault</c> environment (nothing is contacted until a secret is asked for).</summary>
    public static KeyVaultSecretProvider KeyVault(EnvironmentConfiguration environment, IReadOnlyDictionary<string, string> variables,
        SecretMasker masker, TimeProvider? time = null, TokenCredential? credential = null, SecretClientOptions? options = null) =>
        new(environment.Name, environment.Secrets.VaultUrl ?? throw new ArgumentException($"{environment.File} names no secrets.vaultUrl.", nameof(environment)),
            credential ?? AzureCredentials.Create(variables, masker), masker, time, options);

    /// <summary>The process's environment variables, as <see cref="Create"/> wants them.</summary>
    public static IReadOnlyDictionary<string, string> ProcessVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        return variables;
    }
}
