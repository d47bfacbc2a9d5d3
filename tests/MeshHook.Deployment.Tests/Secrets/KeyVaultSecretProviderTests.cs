using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Identity;
using MeshHook.Deployment.SignIn;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Secrets;

/// <summary>The Key Vault provider's reads through the real SDK against a loopback vault over HTTPS.</summary>
public sealed class KeyVaultSecretProviderTests : IDisposable
{
    // A connection string whose password needs escaping in JSON: the masker must catch the escaped form too.
    const string DatabaseUrl = "postgresql://app:pa\"ss\\w0rd-4711@db.internal:5432/meshhook";
    // The newest api-version of Azure.Security.KeyVault.Secrets 4.12.0 (SecretClientOptions.ServiceVersion.V2026_04_01).
    internal const string ApiVersion = "2026-04-01";

    static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    readonly KeyVaultServer _vault = new("kv-meshhookstagmh01");
    readonly SecretMasker _masker = new();
    readonly FakeTimeProvider _time = new(Now);
    readonly RecordingCredential _credential = new();

    public void Dispose() => _vault.Dispose();

    KeyVaultSecretProvider Provider() => new(EnvironmentName.Staging, _vault.VaultUrl, _credential, _masker, _time, _vault.Options());

    static object Bundle(string name, string value, long? expires = null, bool enabled = true) => new
    {
        value,
        id = $"https://kv-meshhookstagmh01.vault.azure.net/secrets/{name}/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        attributes = new Dictionary<string, object?>
        {
            ["enabled"] = enabled, ["created"] = Now.AddDays(-3).ToUnixTimeSeconds(), ["updated"] = Now.AddDays(-1).ToUnixTimeSeconds(),
            ["exp"] = expires, ["recoveryLevel"] = "Recoverable+Purgeable",
        }.Where(x => x.Value is not null).ToDictionary(),
    };

    [Fact]
    public async Task Get_sends_the_bearer_token_reads_the_secret_once_and_masks_every_form_of_it()
    {
        _vault.Answer("GET", "/secrets/database-url", 200, Bundle("database-url", DatabaseUrl));
        var provider = Provider();

        var first = await provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken);
        var second = await provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken);

        Assert.Equal(DatabaseUrl, first);
        Assert.Equal(DatabaseUrl, second);
        var request = Assert.Single(_vault.Authorized).RequestMessage;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/secrets/database-url", request.Path);
        Assert.Equal(ApiVersion, Assert.Single(request.Query!["api-version"]));
        Assert.Equal($"Bearer {KeyVaultServer.Token}", Assert.Single(request.Headers!["Authorization"]));
        // The scope and tenant came from the vault's challenge, as the SDK does it against Azure.
        var token = Assert.Single(_credential.Requests.DistinctBy(x => string.Join(" ", x.Scopes)));
        Assert.Equal(["https://vault.azure.net/.default"], token.Scopes);
        Assert.Equal(KeyVaultServer.TenantId, token.TenantId);

        Assert.Equal("***", _masker.Apply(DatabaseUrl));
        var json = JsonSerializer.Serialize(new { url = DatabaseUrl }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("pa\\\"ss\\\\w0rd", json);
        Assert.Equal("{\"url\":\"***\"}", _masker.Apply(json));
        Assert.DoesNotContain("w0rd-4711", _masker.Apply($"FATAL: password authentication failed, password pa\"ss\\w0rd-4711"));
    }

    [Fact]
    public async Task A_missing_secret_names_the_secret_the_vault_and_how_to_set_it()
    {
        _vault.Answer("GET", "/secrets/database-url", 404, new { error = new { code = "SecretNotFound", message = "A secret with (name/id) database-url was not found in this key vault." } });

        var error = await Assert.ThrowsAsync<SecretException>(() => Provider().GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));

        Assert.Equal("Secret DATABASE_URL of staging (vault secret database-url in Key Vault kv-meshhookstagmh01) does not exist (404 SecretNotFound: A secret " +
                     "with (name/id) database-url was not found in this key vault.). Set it with: ./build.sh Secrets --environment staging --set DATABASE_URL " +
                     "(the value is read from standard input), or: az keyvault secret set --vault-name kv-meshhookstagmh01 --name database-url --file " +
                     "<file holding the value>", error.Message);
        Assert.Empty(_masker.Secrets);
    }

    [Fact]
    public async Task A_forbidden_read_names_the_role_and_the_vault()
    {
        _vault.Answer("GET", "/secrets/database-url", 403, new
        {
            error = new
            {
                code = "Forbidden",
                message = "Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'",
                innererror = new { code = "ForbiddenByRbac" },
            },
        });

        var error = await Assert.ThrowsAsync<SecretException>(() => Provider().GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));

        Assert.Equal("The signed-in identity may not read Secret DATABASE_URL of staging (vault secret database-url in Key Vault kv-meshhookstagmh01) " +
                     "(403 Forbidden: Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'); " +
                     "nothing was read. It needs the role Key Vault Secrets User (to read) on Key Vault kv-meshhookstagmh01: az role assignment create " +
                     "--role \"Key Vault Secrets User\" --assignee <user or app id> --scope $(az keyvault show --name kv-meshhookstagmh01 --query id -o tsv)",
            error.Message);
    }

    [Fact]
    public async Task A_disabled_secret_is_refused_with_how_to_enable_it()
    {
        _vault.Answer("GET", "/secrets/database-url", 403, new
        {
            error = new { code = "Forbidden", message = "Operation get is not allowed on a disabled secret.", innererror = new { code = "SecretDisabled" } },
        });

        var error = await Assert.ThrowsAsync<SecretException>(() => Provider().GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));

        Assert.StartsWith("Secret DATABASE_URL of staging (vault secret database-url in Key Vault kv-meshhookstagmh01) is disabled; nothing was read. " +
                          "Enable it with: az keyvault secret set-attributes --vault-name kv-meshhookstagmh01 --name database-url --enabled true", error.Message);
    }

    [Fact]
    public async Task An_expired_secret_is_refused_and_its_value_never_handed_out()
    {
        _vault.Answer("GET", "/secrets/database-url", 200, Bundle("database-url", DatabaseUrl, expires: Now.AddMinutes(-1).ToUnixTimeSeconds()));

        var error = await Assert.ThrowsAsync<SecretException>(() => Provider().GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));

        Assert.StartsWith("Secret DATABASE_URL of staging (vault secret database-url in Key Vault kv-meshhookstagmh01) expired on 2026-12-02 09:59:00; " +
                          "nothing was read. Set a new value (and expiry): ./build.sh Secrets --environment staging --set DATABASE_URL", error.Message);
        Assert.DoesNotContain("w0rd", error.Message);
    }

    [Fact]
    public async Task A_secret_that_expires_later_is_read()
    {
        _vault.Answer("GET", "/secrets/database-url", 200, Bundle("database-url", DatabaseUrl, expires: Now.AddMinutes(1).ToUnixTimeSeconds()));

        Assert.Equal(DatabaseUrl, await Provider().GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_token_that_cannot_be_obtained_says_how_to_sign_in_and_sends_nothing_authorized()
    {
        var signIn = AzureCredentials.Choose(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", [AzureCredentials.ClientIdVariable] = "app-id" });
        var provider = new KeyVaultSecretProvider(EnvironmentName.Staging, _vault.VaultUrl, AzureCredentials.Guarded(new UnavailableCredential(), signIn),
            _masker, _time, _vault.Options());

        var error = await Assert.ThrowsAsync<AzureSignInException>(() => provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));

        Assert.Equal("Cannot sign in to Azure (Azure CLI login, GitHub Actions without AZURE_TENANT_ID, ACTIONS_ID_TOKEN_REQUEST_URL, " +
                     "ACTIONS_ID_TOKEN_REQUEST_TOKEN): Azure CLI not installed. On a laptop, sign in with `az login` (and `az account set --subscription <id>`). " +
                     "In GitHub Actions, the job needs `permissions: id-token: write` and the variables AZURE_CLIENT_ID, AZURE_TENANT_ID and " +
                     "AZURE_SUBSCRIPTION_ID (the GitHub environment's variables that infra/ sets), whose app has a federated credential for the " +
                     "repository and environment.", error.Message);
        Assert.IsType<CredentialUnavailableException>(error.InnerException);
        Assert.Empty(_vault.Authorized);
    }

    [Fact]
    public async Task A_vault_that_cannot_be_reached_is_named_after_the_retries_run_out()
    {
        var options = _vault.Options();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        var provider = new KeyVaultSecretProvider(EnvironmentName.Staging, _vault.VaultUrl, _credential, _masker, _time, options);
        _vault.Server.Stop();

        var error = await Assert.ThrowsAsync<SecretException>(() => provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));

        Assert.StartsWith("Cannot reach Key Vault kv-meshhookstagmh01 (https://kv-meshhookstagmh01.vault.azure.net/) to read Secret DATABASE_URL of staging " +
                          "(vault secret database-url in Key Vault kv-meshhookstagmh01): ", error.Message);
    }
}
