using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using MeshHook.Deployment.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// <c>"secrets": { "provider": "keyvault", "vaultUrl": "https://kv-....vault.azure.net/" }</c>: the environment's secrets in
/// Azure Key Vault, read with the deployment's Entra ID credential (<see cref="Azure.AzureCredentials"/>). Key Vault names
/// allow no '_': the secret DATABASE_URL is the vault's secret <c>database-url</c>. Each value is fetched once per run,
/// registered with the masker before it is handed out, and refused when the vault marks it disabled, expired or not yet valid.
/// </summary>
public sealed class KeyVaultSecretProvider : ISecretProvider
{
    const string ReadRole = "Key Vault Secrets User", WriteRole = "Key Vault Secrets Officer";

    readonly EnvironmentName _environment;
    readonly Uri _vaultUrl;
    readonly SecretClient _client;
    readonly SecretMasker _masker;
    readonly TimeProvider _time;
    readonly ConcurrentDictionary<string, string> _resolved = new(StringComparer.Ordinal);

    /// <param name="options">The SDK's options (retries, transport); tests point the transport at a loopback vault.</param>
    public KeyVaultSecretProvider(EnvironmentName environment, Uri vaultUrl, TokenCredential credential, SecretMasker masker,
        TimeProvider? time = null, SecretClientOptions? options = null)
    {
        _environment = environment;
        _vaultUrl = vaultUrl;
        _client = new SecretClient(vaultUrl, credential, options ?? new SecretClientOptions());
        _masker = masker;
        _time = time ?? TimeProvider.System;
    }

    public string Description => $"Key Vault {VaultName} ({_vaultUrl})";

    /// <summary>kv-meshhookdevmh01 for https://kv-meshhookdevmh01.vault.azure.net/.</summary>
    public string VaultName => _vaultUrl.Host.Split('.')[0];

    public static string NameInVault(string name) => name.ToLowerInvariant().Replace('_', '-');

    public string HowToSet(string name) =>
        $"{SecretStore.SetCommand(_environment, name)} (the value is read from standard input), or: {AzSet(name)}";

    string AzSet(string name) => $"az keyvault secret set --vault-name {VaultName} --name {NameInVault(name)} --file <file holding the value>";

    public async Task<string> GetAsync(string name, CancellationToken cancellationToken)
    {
        SecretStore.ThrowOnInvalidName(name);
        if (_resolved.TryGetValue(name, out var cached))
            return cached;

        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(NameInVault(name), cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException exception)
        {
            throw Explain(exception, name, "read", ReadRole);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.LastOrDefault() is RequestFailedException last)
        {
            // The SDK's retries ran out (e.g. the vault could not be reached); the last failure says why.
            throw Explain(last, name, "read", ReadRole);
        }

        ThrowUnlessUsable(name, secret.Properties);
        if (string.IsNullOrEmpty(secret.Value))
            throw new SecretException($"{Which(name)} is empty. Set it with: {HowToSet(name)}");
        var value = SecretValues.Mask(_masker, name, secret.Value, $"{_environment.ToText()}, {Description}");
        return _resolved.GetOrAdd(name, value);
    }

    /// <summary>Stores a new version of the secret (the value registered with the masker first).</summary>
    public SecretProperties Set(string name, string value)
    {
        SecretStore.ThrowOnInvalidName(name);
        SecretValues.Mask(_masker, name, value, $"the value given for {_environment.ToText()}");
        try
        {
            return _client.SetSecret(NameInVault(name), value).Value.Properties;
        }
        catch (RequestFailedException exception)
        {
            throw Explain(exception, name, "set", WriteRole);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.LastOrDefault() is RequestFailedException last)
        {
            // The SDK's retries ran out (e.g. the vault could not be reached); the last failure says why.
            throw Explain(last, name, "set", WriteRole);
        }
    }

    /// <summary>What the vault holds (names, dates, state), never a value; certificate-backed secrets are left out.</summary>
    public IReadOnlyList<SecretProperties> List()
    {
        try
        {
            return _client.GetPropertiesOfSecrets().Where(x => x.Managed != true).OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
        }
        catch (RequestFailedException exception)
        {
            throw Explain(exception, null, "list", ReadRole);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.LastOrDefault() is RequestFailedException last)
        {
            // The SDK's retries ran out (e.g. the vault could not be reached); the last failure says why.
            throw Explain(last, null, "list", ReadRole);
        }
    }

    /// <summary>Starts the delete (soft-delete keeps the secret recoverable for the vault's retention); null when it is not there.</summary>
    public DeletedSecret? StartRemove(string name)
    {
        SecretStore.ThrowOnInvalidName(name);
        try
        {
            return _client.StartDeleteSecret(NameInVault(name)).Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException exception)
        {
            throw Explain(exception, name, "delete", WriteRole);
        }
        catch (AggregateException exception) when (exception.InnerExceptions.LastOrDefault() is RequestFailedException last)
        {
            // The SDK's retries ran out (e.g. the vault could not be reached); the last failure says why.
            throw Explain(last, name, "delete", WriteRole);
        }
    }

    string Which(string name) => $"Secret {name} of {_environment.ToText()} (vault secret {NameInVault(name)} in Key Vault {VaultName})";

    void ThrowUnlessUsable(string name, SecretProperties properties)
    {
        var now = _time.GetUtcNow();
        if (properties.Enabled == false)
            throw Disabled(name);
        if (properties.ExpiresOn is { } expires && expires <= now)
            throw new SecretException(
                $"{Which(name)} expired on {Format(expires)}; nothing was read. Set a new value (and expiry): {HowToSet(name)}");
        if (properties.NotBefore is { } notBefore && notBefore > now)
            throw new SecretException(
                $"{Which(name)} is not valid before {Format(notBefore)}; nothing was read. Wait until then, or set a value valid now: {HowToSet(name)}");
    }

    SecretException Disabled(string name) => new(
        $"{Which(name)} is disabled; nothing was read. Enable it with: az keyvault secret set-attributes --vault-name {VaultName} " +
        $"--name {NameInVault(name)} --enabled true, or set a new value: {HowToSet(name)}");

    internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The vault's refusal in the user's words: which secret, which vault, what to do.</summary>
    SecretException Explain(RequestFailedException exception, string? name, string action, string role)
    {
        var (code, innerCode, message) = ErrorOf(exception);
        var detail = $"{exception.Status}{(code is null ? "" : " " + code)}{(message is null ? "" : ": " + message)}";
        var subject = name is null ? $"the secrets of Key Vault {VaultName}" : Which(name);
        return exception.Status switch
        {
            404 when name is not null => new SecretException(
                $"{Which(name)} does not exist ({detail}). Set it with: {HowToSet(name)}", exception),
            403 when name is not null && (innerCode == "SecretDisabled" || message?.Contains("disabled", StringComparison.OrdinalIgnoreCase) == true) =>
                new SecretException(Disabled(name).Message, exception),
            403 when code == "ForbiddenByFirewall" || innerCode == "ForbiddenByFirewall" => new SecretException(
                $"Key Vault {VaultName}'s firewall refuses this machine ({detail}); nothing was {Past(action)}. Allow its address in the vault's " +
                "network rules (or run from a network the vault allows).", exception),
            403 => new SecretException(
                $"The signed-in identity may not {action} {subject} ({detail}); nothing was {Past(action)}. It needs the role {role} " +
                $"({(role == ReadRole ? "to read" : "to set and remove")}) on Key Vault {VaultName}: az role assignment create --role \"{role}\" " +
                $"--assignee <user or app id> --scope $(az keyvault show --name {VaultName} --query id -o tsv)", exception),
            401 => new SecretException(
                $"Key Vault {VaultName} refused the sign-in token ({detail}); nothing was {Past(action)}. Sign in to the vault's tenant " +
                "(az login --tenant <tenant id>) or check AZURE_TENANT_ID.", exception),
            409 when name is not null && action == "set" => new SecretException(
                $"{Which(name)} was deleted and is still recoverable (soft-delete) ({detail}); nothing was set. Recover it " +
                $"(az keyvault secret recover --vault-name {VaultName} --name {NameInVault(name)}) or purge it (az keyvault secret purge " +
                $"--vault-name {VaultName} --name {NameInVault(name)}), then set it again.", exception),
            0 => new SecretException(
                $"Cannot reach Key Vault {VaultName} ({_vaultUrl}) to {action} {subject}: {FirstLine(exception.Message)}", exception),
            _ => new SecretException(
                $"Key Vault {VaultName} could not {action} {subject} ({detail}); nothing was {Past(action)}.", exception),
        };
    }

    static string Past(string action) => action switch { "set" => "set", "read" => "read", "list" => "listed", _ => action + "d" };

    static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary><c>{"error": {"code", "message", "innererror": {"code"}}}</c> of a Key Vault error response.</summary>
    static (string? Code, string? InnerCode, string? Message) ErrorOf(RequestFailedException exception)
    {
        try
        {
            if (exception.GetRawResponse()?.Content is { } content && content.ToMemory().Length > 0)
            {
                using var document = JsonDocument.Parse(content.ToMemory());
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) &&
                    error.ValueKind == JsonValueKind.Object)
                {
                    string? Text(JsonElement element, string property) =>
                        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    var inner = error.TryGetProperty("innererror", out var innerError) && innerError.ValueKind == JsonValueKind.Object
                        ? Text(innerError, "code")
                        : null;
                    return (Text(error, "code"), inner, Text(error, "message"));
                }
            }
        }
        catch (JsonException)
        {
            // Not Key Vault's error format (a proxy's page): the status says enough.
        }
        return (exception.ErrorCode, null, null);
    }
}
