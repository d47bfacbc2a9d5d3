using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Environments;

/// <summary>Where the values of <c>{ "secret": "NAME" }</c> references come from (<c>secrets.provider</c>).</summary>
public enum SecretProviderKind
{
    /// <summary>Environment variables (<c>secrets.prefix</c> + NAME), e.g. GitHub environment secrets in CI.</summary>
    [JsonStringEnumMemberName("env")]
    Env,

    /// <summary>An encrypted file per environment, .deploy/&lt;env&gt;/secrets.json (./build.sh Secrets sets them).</summary>
    [JsonStringEnumMemberName("file")]
    File,

    /// <summary>The environment's Azure Key Vault (<c>secrets.vaultUrl</c>).</summary>
    [JsonStringEnumMemberName("keyvault")]
    KeyVault,
}
