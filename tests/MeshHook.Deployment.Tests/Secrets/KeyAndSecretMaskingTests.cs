using System.Text;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Secrets;

/// <summary>
/// The key of the secret store is as secret as the values it protects: once the store has used it (from
/// MESHHOOK_SECRETS_KEY or from the key file), it and its encodings are masked. Values too short to mask are refused
/// with the secret and the environment named. A URL-shaped secret's password is masked on its own.
/// </summary>
public sealed class KeyAndSecretMaskingTests : IDisposable
{
    const string Value = "whsec_9f8e7d6c5b4a3f2e1d0c";
    const string KeyFromEnvironment = "store key & 'quoted' \"double\" +<tag>\\ ä";

    readonly Scratch _repository = new();
    readonly Scratch _home = new();

    public void Dispose()
    {
        _repository.Dispose();
        _home.Dispose();
    }

    static void AssertMaskedInEveryForm(SecretMasker masker, string secret)
    {
        Assert.Equal("k=***", masker.Apply("k=" + secret));
        Assert.Equal("k=***", masker.Apply("k=" + System.Text.Json.JsonSerializer.Serialize(secret)[1..^1]));
        Assert.Equal("k=***", masker.Apply("k=" + Uri.EscapeDataString(secret)));
        Assert.Equal("k=***", masker.Apply("k=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))));
    }

    [Fact]
    public void The_key_from_the_environment_variable_is_masked_once_the_store_reads_it()
    {
        var variables = new Dictionary<string, string> { ["HOME"] = _home.Path, [SecretStore.KeyVariable] = KeyFromEnvironment };
        SecretStore.Open(_repository.Path, EnvironmentName.Local, variables, new SecretMasker()).Set("DEFAULT_WEBHOOK_SECRET", Value);
        var masker = new SecretMasker();

        Assert.Equal(Value, SecretStore.Open(_repository.Path, EnvironmentName.Local, variables, masker).Get("DEFAULT_WEBHOOK_SECRET"));

        AssertMaskedInEveryForm(masker, KeyFromEnvironment);
    }

    [Fact]
    public void The_key_file_contents_are_masked_when_the_store_creates_or_reads_them()
    {
        var variables = new Dictionary<string, string> { ["HOME"] = _home.Path };
        var writer = new SecretMasker();
        var store = SecretStore.Open(_repository.Path, EnvironmentName.Local, variables, writer);

        store.Set("DEFAULT_WEBHOOK_SECRET", Value);
        var key = File.ReadAllText(store.Key.KeyFile).Trim();
        var reader = new SecretMasker();
        SecretStore.Open(_repository.Path, EnvironmentName.Local, variables, reader).Get("DEFAULT_WEBHOOK_SECRET");

        AssertMaskedInEveryForm(writer, key);
        AssertMaskedInEveryForm(reader, key);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData(" ab ")]
    public async Task A_configuration_secret_too_short_to_mask_is_refused_naming_the_secret_and_the_environment(string value)
    {
        var store = SecretStore.Open(_repository.Path, EnvironmentName.Dev, new Dictionary<string, string> { ["HOME"] = _home.Path }, new SecretMasker());
        var fromStore = Assert.Throws<SecretException>(() => store.Set("DEFAULT_WEBHOOK_SECRET", value));
        var provider = new EnvironmentVariableSecretProvider(EnvironmentName.Dev, "MESHHOOK_DEV_",
            new Dictionary<string, string> { ["MESHHOOK_DEV_DEFAULT_WEBHOOK_SECRET"] = value }, new SecretMasker());
        var fromVariable = await Assert.ThrowsAsync<SecretException>(() => provider.GetAsync("DEFAULT_WEBHOOK_SECRET", TestContext.Current.CancellationToken));

        foreach (var error in new[] { fromStore, fromVariable })
        {
            Assert.Contains("secret DEFAULT_WEBHOOK_SECRET (", error.Message);
            Assert.Contains("dev", error.Message);
            Assert.Contains("shorter than 3 characters", error.Message);
            Assert.Contains("refused", error.Message);
        }
        Assert.Contains("MESHHOOK_DEV_DEFAULT_WEBHOOK_SECRET", fromVariable.Message);
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task The_password_of_a_database_url_is_masked_on_its_own()
    {
        var password = "db p&ss'\"+<>\\ä";
        var url = $"postgresql://meshhook:{Uri.EscapeDataString(password)}@127.0.0.1:5432/meshhook";
        var masker = new SecretMasker();
        var provider = new EnvironmentVariableSecretProvider(EnvironmentName.Dev, "MESHHOOK_DEV_",
            new Dictionary<string, string> { ["MESHHOOK_DEV_DATABASE_URL"] = url }, masker);

        await provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken);

        Assert.Equal("password authentication failed: ***", masker.Apply("password authentication failed: " + password));
        AssertMaskedInEveryForm(masker, password);
    }
}
