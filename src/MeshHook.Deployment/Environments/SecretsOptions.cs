using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>secrets</c>: where the values of <c>{ "secret": "NAME" }</c> references come from.
/// <code>
/// "secrets": { "provider": "file" }                                   .deploy/&lt;env&gt;/secrets.json, encrypted; ./build.sh Secrets sets them
/// "secrets": { "provider": "env", "prefix": "MESHHOOK_DEV_" }         environment variable MESHHOOK_DEV_NAME
/// "secrets": { "provider": "keyvault", "vaultUrl": "https://kv-meshhookdevmh01.vault.azure.net/" }
/// </code>
/// </summary>
public sealed partial class SecretsOptions
{
    public SecretProviderKind Provider { get; init; }

    /// <summary>env: put before each secret's name to form the variable's name (none: the name itself).</summary>
    public string? Prefix { get; init; }

    /// <summary>keyvault: the vault's URL (the infra output key_vault_uri).</summary>
    public Uri? VaultUrl { get; init; }

    internal static SecretsOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var provider = section.Enum<SecretProviderKind>("provider", required: true);
        var name = provider is { } kind ? JsonEnum.Name(kind) : null;
        var valid = provider is not null;

        string? prefix = null;
        if (provider == SecretProviderKind.Env)
            prefix = section.String("prefix", required: false, $"a variable name prefix ({VariableName.Rule})",
                x => VariableName.IsValid(x) ? null : VariableName.Problem(x));
        else if (name is null)
            section.Has("prefix"); // with no valid provider the variant is unknown: report the provider alone
        else
            section.Forbid("prefix", $"only the env provider has a prefix (secrets.provider is {name}).");

        Uri? vaultUrl = null;
        if (provider == SecretProviderKind.KeyVault)
        {
            var url = section.String("vaultUrl", required: true, "a Key Vault URL (https://<vault-name>.vault.azure.net/)",
                x => VaultUrlPattern().IsMatch(x)
                    ? null
                    : $"'{x}' is not a Key Vault URL; allowed: https://<vault-name>.vault.azure.net/ with a vault name of 3-24 letters, digits and '-'.");
            vaultUrl = url is null ? null : new Uri(url);
            valid &= vaultUrl is not null;
        }
        else if (name is null)
            section.Has("vaultUrl");
        else
            section.Forbid("vaultUrl", $"only the keyvault provider has a vaultUrl (secrets.provider is {name}).");

        section.RejectUnknownKeys();
        return valid ? new SecretsOptions { Provider = provider!.Value, Prefix = prefix, VaultUrl = vaultUrl } : null;
    }

    [GeneratedRegex(@"^https://[A-Za-z0-9-]{3,24}\.vault\.azure\.net/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex VaultUrlPattern();
}
