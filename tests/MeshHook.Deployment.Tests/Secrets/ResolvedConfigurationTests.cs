using System.Text.Json.Nodes;
using MeshHook.Deployment.SignIn;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Secrets;

public sealed class ResolvedConfigurationTests : IDisposable
{
    readonly Scratch _repository = new();
    readonly Scratch _home = new();

    public void Dispose()
    {
        _repository.Dispose();
        _home.Dispose();
    }

    Dictionary<string, string> Variables() => new() { ["HOME"] = _home.Path, [SecretStore.KeyFileVariable] = _home.Combine("secrets.key") };

    [Fact]
    public async Task Secrets_are_resolved_masked_and_joined_by_what_the_deployer_knows()
    {
        var configuration = Samples.Parse(Samples.Local);
        SecretStore.Open(_repository.Path, EnvironmentName.Local, Variables(), new SecretMasker()).Set("DEFAULT_WEBHOOK_SECRET", "whsec_local_0123456789");
        var masker = new SecretMasker();
        var provider = SecretProviders.Create(configuration, _repository.Path, Variables(), masker);

        var resolved = await ResolvedConfiguration.ResolveAsync(configuration, provider, TestContext.Current.CancellationToken);

        Assert.IsType<SecretStore>(provider);
        Assert.Equal(new Dictionary<string, string>
        {
            ["DEFAULT_WEBHOOK_SECRET"] = "whsec_local_0123456789",
            ["MESHHOOK_ENVIRONMENT"] = "local",
            ["ORIGIN"] = "http://127.0.0.1:8480",
            ["WORKER_HEARTBEAT_MAX_AGE_SECONDS"] = "30",
        }, resolved.Values);
        Assert.Equal(["DEFAULT_WEBHOOK_SECRET"], resolved.SecretKeys);
        Assert.Equal("secret=***", masker.Apply("secret=whsec_local_0123456789"));
        Assert.Equal("DEFAULT_WEBHOOK_SECRET=***, MESHHOOK_ENVIRONMENT=local, ORIGIN=http://127.0.0.1:8480, WORKER_HEARTBEAT_MAX_AGE_SECONDS=30", resolved.ToString());

        var deployed = resolved.With("MESHHOOK_RELEASE", "20261130-064512-3cef07578982").With("DATABASE_URL", "postgres://127.0.0.1:41002/meshhook", isSecret: true);
        Assert.Equal("20261130-064512-3cef07578982", deployed["MESHHOOK_RELEASE"]);
        Assert.Contains("DATABASE_URL", deployed.SecretKeys);
        Assert.False(resolved.Values.ContainsKey("MESHHOOK_RELEASE"));
        Assert.Throws<EnvFileException>(() => resolved.With("bad-key", "x"));
    }

    [Fact]
    public async Task An_external_database_url_is_resolved_into_DATABASE_URL()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["secrets"] = new JsonObject { ["provider"] = "env", ["prefix"] = "MESHHOOK_LOCAL_" };
            x["database"] = new JsonObject { ["kind"] = "external", ["url"] = new JsonObject { ["secret"] = "DATABASE_URL" } };
        });
        var configuration = Samples.Parse(json);
        var variables = new Dictionary<string, string>
        {
            ["MESHHOOK_LOCAL_DATABASE_URL"] = "postgres://meshhook:pw-5678@127.0.0.1:5432/meshhook",
            ["MESHHOOK_LOCAL_DEFAULT_WEBHOOK_SECRET"] = "whsec_env_value",
        };
        var masker = new SecretMasker();

        var resolved = await ResolvedConfiguration.ResolveAsync(configuration, SecretProviders.Create(configuration, _repository.Path, variables, masker),
            TestContext.Current.CancellationToken);

        Assert.Equal("postgres://meshhook:pw-5678@127.0.0.1:5432/meshhook", resolved["DATABASE_URL"]);
        Assert.Equal(["DATABASE_URL", "DEFAULT_WEBHOOK_SECRET"], resolved.SecretKeys);
        // Both values, and the URL's user info and password on their own.
        Assert.Equal(["postgres://meshhook:pw-5678@127.0.0.1:5432/meshhook", "meshhook:pw-5678", "whsec_env_value", "pw-5678"], masker.Secrets);
    }

    [Fact]
    public async Task Every_missing_secret_is_reported_at_once_with_the_key_that_needs_it()
    {
        var json = Samples.Change(Samples.Local, x => x["configuration"]!["SUPABASE_SERVICE_ROLE_KEY"] = new JsonObject { ["secret"] = "SUPABASE_SERVICE_ROLE_KEY" });
        var configuration = Samples.Parse(json);
        var provider = SecretProviders.Create(configuration, _repository.Path, Variables(), new SecretMasker());

        var error = await Assert.ThrowsAsync<SecretException>(() => ResolvedConfiguration.ResolveAsync(configuration, provider, TestContext.Current.CancellationToken));

        Assert.Equal(string.Join(Environment.NewLine,
            "2 secret reference(s) of local could not be resolved from the encrypted file .deploy/local/secrets.json (infra/environments/local/environment.json):",
            "  configuration.DEFAULT_WEBHOOK_SECRET: Secret DEFAULT_WEBHOOK_SECRET of local is not set (.deploy/local/secrets.json has no DEFAULT_WEBHOOK_SECRET). " +
            "Set it with: ./build.sh Secrets --environment local --set DEFAULT_WEBHOOK_SECRET (the value is read from standard input).",
            "  configuration.SUPABASE_SERVICE_ROLE_KEY: Secret SUPABASE_SERVICE_ROLE_KEY of local is not set (.deploy/local/secrets.json has no SUPABASE_SERVICE_ROLE_KEY). " +
            "Set it with: ./build.sh Secrets --environment local --set SUPABASE_SERVICE_ROLE_KEY (the value is read from standard input)."), error.Message);
    }

    [Fact]
    public async Task A_key_vault_that_cannot_be_signed_in_to_is_said_once_with_how_to_sign_in()
    {
        var configuration = Samples.Parse(File.ReadAllText(Path.Combine(Repository.Root, EnvironmentConfiguration.RelativePath(EnvironmentName.Production))),
            EnvironmentName.Production);
        using var vault = new KeyVaultServer("kv-meshhookprodmh01");
        var signIn = new AzureSignInChoice(AzureSignIn.AzureCli, null, null, "not in GitHub Actions");
        var provider = SecretProviders.Create(configuration, _repository.Path, Variables(), new SecretMasker(),
            credential: AzureCredentials.Guarded(new UnavailableCredential(), signIn), keyVaultOptions: vault.Options());

        var error = await Assert.ThrowsAsync<AzureSignInException>(() => ResolvedConfiguration.ResolveAsync(configuration, provider, TestContext.Current.CancellationToken));

        Assert.IsType<KeyVaultSecretProvider>(provider);
        Assert.StartsWith("Cannot sign in to Azure (Azure CLI login, not in GitHub Actions): Azure CLI not installed. On a laptop, sign in with `az login`", error.Message);
        Assert.Empty(vault.Authorized);
    }

    [Fact]
    public async Task A_secret_value_an_env_file_cannot_hold_is_refused_without_showing_it()
    {
        var configuration = Samples.Parse(Samples.Change(Samples.Local, x => x["secrets"] = new JsonObject { ["provider"] = "env" }));
        var variables = new Dictionary<string, string> { ["DEFAULT_WEBHOOK_SECRET"] = "first line\nsecond line" };

        var error = await Assert.ThrowsAsync<SecretException>(() => ResolvedConfiguration.ResolveAsync(configuration,
            SecretProviders.Create(configuration, _repository.Path, variables, new SecretMasker()), TestContext.Current.CancellationToken));

        Assert.Contains("configuration.DEFAULT_WEBHOOK_SECRET: the value of secret DEFAULT_WEBHOOK_SECRET contains a line break or NUL character", error.Message);
        Assert.DoesNotContain("first line", error.Message);
    }
}
