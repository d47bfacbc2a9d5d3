using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Secrets;

public sealed class EnvironmentVariableSecretProviderTests
{
    [Fact]
    public async Task A_set_variable_is_the_value_and_is_masked_before_it_is_returned()
    {
        var masker = new SecretMasker();
        var provider = new EnvironmentVariableSecretProvider(EnvironmentName.Dev, "MESHHOOK_DEV_",
            new Dictionary<string, string> { ["MESHHOOK_DEV_DATABASE_URL"] = "postgres://meshhook:pw-1234@db/meshhook" }, masker);

        var value = await provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken);

        Assert.Equal("postgres://meshhook:pw-1234@db/meshhook", value);
        Assert.Equal("url=***", masker.Apply("url=" + value));
        Assert.True(provider.IsSet("DATABASE_URL"));
    }

    [Fact]
    public async Task A_missing_variable_is_named()
    {
        var provider = new EnvironmentVariableSecretProvider(EnvironmentName.Dev, "MESHHOOK_DEV_",
            new Dictionary<string, string> { ["DATABASE_URL"] = "without the prefix it is another variable", ["MESHHOOK_DEV_EMPTY"] = "" }, new SecretMasker());

        var error = await Assert.ThrowsAsync<SecretException>(() => provider.GetAsync("DATABASE_URL", TestContext.Current.CancellationToken));
        Assert.Equal("Secret DATABASE_URL of dev is not set: set the environment variable MESHHOOK_DEV_DATABASE_URL " +
                     "(secrets.provider is env in infra/environments/dev/environment.json).", error.Message);

        await Assert.ThrowsAsync<SecretException>(() => provider.GetAsync("EMPTY", TestContext.Current.CancellationToken));
    }
}
