using System.Text.Json;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Secrets;

/// <summary><c>./build.sh Secrets --set/--list/--remove</c> for a keyvault environment, through the real SDK against a loopback vault.</summary>
public sealed class KeyVaultSecretsCommandTests : IDisposable
{
    const string Value = "postgresql://app:vault-password-4711@db.internal:5432/meshhook";
    const string Vault = "https://kv-meshhookdevmh01.vault.azure.net";

    static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    readonly Scratch _repository = new();
    readonly KeyVaultServer _vault = new("kv-meshhookdevmh01");
    readonly SecretMasker _masker = new();
    readonly List<string> _output = [];
    readonly FakeTimeProvider _time = new(Now);
    readonly RecordingCredential _credential = new();

    // The sample dev environment (keyvault, https://kv-meshhookdevmh01.vault.azure.net/) as staging.
    public KeyVaultSecretsCommandTests() => Samples.WriteRepository(_repository.Path, EnvironmentName.Staging, Samples.Dev.Replace("\"dev\"", "\"staging\""));

    public void Dispose()
    {
        _vault.Dispose();
        _repository.Dispose();
    }

    void Run(string? set, bool list, string? remove, Func<string, string>? readValue = null) =>
        new SecretsCommand(_repository.Path, new Dictionary<string, string>(), _masker, _output.Add, _time,
                configuration => SecretProviders.KeyVault(configuration, new Dictionary<string, string>(), _masker, _time, _credential, _vault.Options()))
            .Run(EnvironmentName.Staging, set, list, remove, readValue ?? (_ => throw new InvalidOperationException("no value may be asked for")));

    static long Unix(DateTimeOffset time) => time.ToUnixTimeSeconds();

    static Dictionary<string, object> Attributes(DateTimeOffset updated, DateTimeOffset? expires = null, bool enabled = true)
    {
        var attributes = new Dictionary<string, object>
        {
            ["enabled"] = enabled, ["created"] = Unix(updated.AddDays(-10)), ["updated"] = Unix(updated), ["recoveryLevel"] = "Recoverable+Purgeable",
            ["recoverableDays"] = 90,
        };
        if (expires is { } exp)
            attributes["exp"] = Unix(exp);
        return attributes;
    }

    [Fact]
    public void Set_reads_the_value_and_puts_it_in_the_vault_under_its_vault_name()
    {
        _vault.Answer("PUT", "/secrets/database-url", 200, new
        {
            value = Value, id = $"{Vault}/secrets/database-url/4387e9f3d6e14c459867679a90fd0f79", attributes = Attributes(Now),
        });

        Run("DATABASE_URL", false, null, name => name == "DATABASE_URL" ? Value : throw new InvalidOperationException(name));

        var request = Assert.Single(_vault.Authorized).RequestMessage;
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/secrets/database-url", request.Path);
        Assert.Equal(KeyVaultSecretProviderTests.ApiVersion, Assert.Single(request.Query!["api-version"]));
        Assert.Equal($"Bearer {KeyVaultServer.Token}", Assert.Single(request.Headers!["Authorization"]));
        using (var body = JsonDocument.Parse(request.Body!))
            Assert.Equal(Value, body.RootElement.GetProperty("value").GetString());
        Assert.Equal(["Stored DATABASE_URL for staging in Key Vault kv-meshhookdevmh01 as database-url (version 4387e9f3d6e14c459867679a90fd0f79)."], _output);
        Assert.Equal("***", _masker.Apply(Value));
    }

    [Fact]
    public void Set_refuses_an_empty_value_and_sends_nothing()
    {
        var error = Assert.Throws<SecretException>(() => Run("DATABASE_URL", false, null, _ => ""));

        Assert.Equal("No value for DATABASE_URL was given on standard input; nothing was stored.", error.Message);
        Assert.Empty(_vault.Server.LogEntries);
    }

    [Fact]
    public void Set_without_the_officer_role_names_the_role_and_the_vault()
    {
        _vault.Answer("PUT", "/secrets/database-url", 403, new
        {
            error = new { code = "Forbidden", message = "Caller is not authorized to perform action on resource.", innererror = new { code = "ForbiddenByRbac" } },
        });

        var error = Assert.Throws<SecretException>(() => Run("DATABASE_URL", false, null, _ => Value));

        Assert.Contains("may not set Secret DATABASE_URL of staging (vault secret database-url in Key Vault kv-meshhookdevmh01) (403 Forbidden: Caller is not " +
                        "authorized to perform action on resource.); nothing was set. It needs the role Key Vault Secrets Officer (to set and remove) on Key " +
                        "Vault kv-meshhookdevmh01", error.Message);
        Assert.DoesNotContain("vault-password", error.Message);
    }

    [Fact]
    public void List_follows_next_links_and_shows_names_updated_and_expires_never_values()
    {
        _vault.Answer("GET", "/secrets", 200, new
        {
            value = new object[]
            {
                new { id = $"{Vault}/secrets/database-url", attributes = Attributes(new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero)) },
                new { id = $"{Vault}/secrets/legacy-token", attributes = Attributes(Now.AddDays(-40), expires: Now.AddDays(-1)) },
            },
            nextLink = $"{Vault}:443/secrets?api-version={KeyVaultSecretProviderTests.ApiVersion}&$skiptoken=page2&maxresults=25",
        });
        _vault.Answer("GET", "/secrets", 200, new
        {
            value = new object[]
            {
                new { id = $"{Vault}/secrets/default-webhook-secret", attributes = Attributes(Now.AddDays(-2), expires: new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero), enabled: false) },
            },
            nextLink = (string?)null,
        }, new Dictionary<string, string> { ["$skiptoken"] = "page2" });

        Run(null, true, null);

        Assert.Equal(
        [
            "Secrets of staging in Key Vault kv-meshhookdevmh01 (https://kv-meshhookdevmh01.vault.azure.net/) (values are never shown):",
            "NAME                    IN VAULT                UPDATED (UTC)        EXPIRES (UTC)",
            "DATABASE_URL            database-url            2026-11-30 06:45:12  never",
            "DEFAULT_WEBHOOK_SECRET  default-webhook-secret  2026-11-30 10:00:00  2027-06-01 00:00:00 (disabled)",
            "-                       legacy-token            2026-10-23 10:00:00  2026-12-01 10:00:00 (expired)",
            "In the vault but not referenced by infra/environments/staging/environment.json: legacy-token.",
        ], _output);
        var requests = _vault.Authorized.Select(x => x.RequestMessage).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, x => Assert.Equal(("GET", "/secrets"), (x.Method, x.Path)));
        Assert.False(requests[0].Query!.ContainsKey("$skiptoken"));
        Assert.Equal("page2", Assert.Single(requests[1].Query!["$skiptoken"]));
    }

    [Fact]
    public void List_of_an_empty_vault_says_what_is_missing()
    {
        _vault.Answer("GET", "/secrets", 200, new { value = Array.Empty<object>(), nextLink = (string?)null });

        Run(null, true, null);

        Assert.Equal(
        [
            "No secrets in Key Vault kv-meshhookdevmh01 (https://kv-meshhookdevmh01.vault.azure.net/).",
            "Not set but referenced by infra/environments/staging/environment.json: DATABASE_URL, DEFAULT_WEBHOOK_SECRET. Set each with: " +
            "./build.sh Secrets --environment staging --set NAME",
        ], _output);
    }

    [Fact]
    public void Remove_starts_the_delete_and_says_how_long_it_stays_recoverable_and_how_to_purge()
    {
        _vault.Answer("DELETE", "/secrets/database-url", 200, new
        {
            recoveryId = $"{Vault}/deletedsecrets/database-url",
            deletedDate = Unix(Now),
            scheduledPurgeDate = Unix(Now.AddDays(90)),
            id = $"{Vault}/secrets/database-url/4387e9f3d6e14c459867679a90fd0f79",
            attributes = Attributes(Now.AddDays(-1)),
        });

        Run(null, false, "DATABASE_URL");

        var request = Assert.Single(_vault.Authorized).RequestMessage;
        Assert.Equal(("DELETE", "/secrets/database-url"), (request.Method, request.Path));
        Assert.Equal(KeyVaultSecretProviderTests.ApiVersion, Assert.Single(request.Query!["api-version"]));
        Assert.Equal(
        [
            "Deleted DATABASE_URL (vault secret database-url) from Key Vault kv-meshhookdevmh01. Soft-delete keeps it recoverable until 2027-03-02 10:00:00 " +
            "UTC (the vault's retention, 90 days): recover it with az keyvault secret recover --vault-name kv-meshhookdevmh01 --name database-url; remove it " +
            "for good with az keyvault secret purge --vault-name kv-meshhookdevmh01 --name database-url (refused while the vault has purge protection). " +
            "Until it is recovered or purged, a secret of that name cannot be set again.",
            "Note: infra/environments/staging/environment.json still refers to DATABASE_URL: deploying staging fails until it is set again.",
        ], _output);
    }

    [Fact]
    public void Remove_of_a_secret_the_vault_does_not_hold_says_so()
    {
        _vault.Answer("DELETE", "/secrets/old-token", 404, new { error = new { code = "SecretNotFound", message = "A secret with (name/id) old-token was not found in this key vault." } });

        var error = Assert.Throws<SecretException>(() => Run(null, false, "OLD_TOKEN"));

        Assert.Equal("OLD_TOKEN is not in Key Vault kv-meshhookdevmh01 (https://kv-meshhookdevmh01.vault.azure.net/) (no secret old-token); nothing was removed.",
            error.Message);
        Assert.Empty(_output);
    }
}
