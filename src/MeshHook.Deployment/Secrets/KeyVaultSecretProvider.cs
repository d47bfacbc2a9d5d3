using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// <c>"secrets": { "provider": "keyvault", "vaultUrl": "https://kv-....vault.azure.net/" }</c>. Reading Key Vault comes with
/// the cloud deploy; until then every read fails with a clear message (never a made-up value). Key Vault names allow no
/// '_': the secret DATABASE_URL is the vault's secret <c>database-url</c>.
/// </summary>
public sealed class KeyVaultSecretProvider(EnvironmentName environment, Uri vaultUrl) : ISecretProvider
{
    public string Description => $"Key Vault {VaultName} ({vaultUrl})";

    /// <summary>kv-meshhookdevmh01 for https://kv-meshhookdevmh01.vault.azure.net/.</summary>
    public string VaultName => vaultUrl.Host.Split('.')[0];

    public static string NameInVault(string name) => name.ToLowerInvariant().Replace('_', '-');

    public Task<string> GetAsync(string name, CancellationToken cancellationToken) =>
        throw new SecretException(
            $"Secrets of {environment.ToText()} come from {Description}, which is not available in this issue: the Key Vault provider " +
            "comes with the cloud deploy. Nothing was read.");

    public string HowToSet(string name) =>
        $"az keyvault secret set --vault-name {VaultName} --name {NameInVault(name)} --file <file holding the value>";
}
