using Azure.Core;
using Azure.Identity;
using MeshHook.Deployment.SignIn;
using MeshHook.Tooling;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using Request = WireMock.RequestBuilders.Request;

namespace MeshHook.Deployment.Tests.SignIn;

/// <summary>Which Azure sign-in the deployment uses for a given process environment, and the GitHub OIDC token fetch.</summary>
public sealed class AzureCredentialsTests
{
    static readonly Dictionary<string, string> GitHubWithOidc = new()
    {
        ["GITHUB_ACTIONS"] = "true",
        [AzureCredentials.ClientIdVariable] = "11111111-1111-1111-1111-111111111111",
        [AzureCredentials.TenantIdVariable] = "22222222-2222-2222-2222-222222222222",
        [AzureCredentials.SubscriptionIdVariable] = "33333333-3333-3333-3333-333333333333",
        [AzureCredentials.TokenRequestUrlVariable] = "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
        [AzureCredentials.TokenRequestTokenVariable] = "request-token",
    };

    static Dictionary<string, string> Without(Dictionary<string, string> variables, params string[] names) =>
        variables.Where(x => !names.Contains(x.Key)).ToDictionary();

    [Fact]
    public void A_laptop_uses_the_azure_cli_login()
    {
        var choice = AzureCredentials.Choose(new Dictionary<string, string> { ["HOME"] = "/home/dev" });

        Assert.Equal(new AzureSignInChoice(AzureSignIn.AzureCli, null, null, "not in GitHub Actions"), choice);
        Assert.Equal("Azure CLI login, not in GitHub Actions", choice.Description);
    }

    [Fact]
    public void A_laptop_with_the_ids_but_no_federated_token_still_uses_the_azure_cli()
    {
        var choice = AzureCredentials.Choose(new Dictionary<string, string>
        {
            [AzureCredentials.ClientIdVariable] = "app", [AzureCredentials.TenantIdVariable] = "tenant",
        });

        Assert.Equal(AzureSignIn.AzureCli, choice.Kind);
    }

    [Fact]
    public void GitHub_Actions_with_the_ids_and_the_oidc_token_request_uses_workload_identity_federation()
    {
        var choice = AzureCredentials.Choose(GitHubWithOidc);

        Assert.Equal(new AzureSignInChoice(AzureSignIn.GitHubOidc, "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222",
            "GitHub Actions with AZURE_CLIENT_ID, AZURE_TENANT_ID and the job's OIDC token"), choice);
        Assert.IsNotType<AzureCliCredential>(AzureCredentials.Create(GitHubWithOidc));
    }

    [Fact]
    public void A_federated_token_file_is_used_in_or_outside_GitHub_Actions()
    {
        var variables = new Dictionary<string, string>
        {
            [AzureCredentials.ClientIdVariable] = "app", [AzureCredentials.TenantIdVariable] = "tenant",
            [AzureCredentials.FederatedTokenFileVariable] = "/var/run/secrets/azure/tokens/azure-identity-token",
        };

        Assert.Equal(AzureSignIn.FederatedTokenFile, AzureCredentials.Choose(variables).Kind);
        Assert.Equal(AzureSignIn.FederatedTokenFile, AzureCredentials.Choose(new Dictionary<string, string>(variables) { ["GITHUB_ACTIONS"] = "true" }).Kind);
    }

    [Theory]
    [InlineData("AZURE_CLIENT_ID", "GitHub Actions without AZURE_CLIENT_ID")]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", "GitHub Actions without ACTIONS_ID_TOKEN_REQUEST_URL")]
    public void GitHub_Actions_without_what_federation_needs_falls_back_to_the_cli_and_says_what_is_missing(string missing, string reason)
    {
        var choice = AzureCredentials.Choose(Without(GitHubWithOidc, missing));

        Assert.Equal(new AzureSignInChoice(AzureSignIn.AzureCli, null, null, reason), choice);
    }

    [Fact]
    public void An_empty_variable_counts_as_missing()
    {
        var variables = new Dictionary<string, string>(GitHubWithOidc) { [AzureCredentials.TenantIdVariable] = "" };

        Assert.Equal("GitHub Actions without AZURE_TENANT_ID", AzureCredentials.Choose(variables).Reason);
    }

    [Fact]
    public async Task A_failed_sign_in_is_explained_with_az_login_and_the_oidc_variables()
    {
        var credential = AzureCredentials.Guarded(new FailingCredential(), AzureCredentials.Choose(GitHubWithOidc));

        var error = await Assert.ThrowsAsync<AzureSignInException>(() =>
            credential.GetTokenAsync(new TokenRequestContext(["https://management.azure.com/.default"]), TestContext.Current.CancellationToken).AsTask());
        var syncError = Assert.Throws<AzureSignInException>(() =>
            credential.GetToken(new TokenRequestContext(["https://management.azure.com/.default"]), TestContext.Current.CancellationToken));

        Assert.Equal("Cannot sign in to Azure (workload identity federation with the GitHub OIDC token, client 11111111-1111-1111-1111-111111111111, " +
                     "tenant 22222222-2222-2222-2222-222222222222): ClientAssertionCredential authentication failed: AADSTS70021: No matching federated " +
                     "identity record found for presented assertion. On a laptop, sign in with `az login` (and `az account set --subscription <id>`). In GitHub " +
                     "Actions, the job needs `permissions: id-token: write` and the variables AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID " +
                     "(the GitHub environment's variables that infra/ sets), whose app has a federated credential for the repository and environment.",
            error.Message);
        Assert.Equal(error.Message, syncError.Message);
        Assert.IsType<UserFacingException>(error, exactMatch: false);
    }

    [Fact]
    public async Task The_github_oidc_token_is_fetched_for_entra_id_with_the_request_token_and_masked()
    {
        using var server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
        server.Given(Request.Create().WithPath("/idtoken").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithBodyAsJson(new { count = 1, value = "eyJhbGciOiJSUzI1NiJ9.github-oidc-claims.signature" }));
        var masker = new SecretMasker();

        var token = await GitHubOidcToken.FetchAsync($"{server.Url}/idtoken?api-version=2.0", "request-token", masker, TestContext.Current.CancellationToken);

        Assert.Equal("eyJhbGciOiJSUzI1NiJ9.github-oidc-claims.signature", token);
        var request = Assert.Single(server.LogEntries).RequestMessage;
        Assert.Equal("2.0", Assert.Single(request.Query!["api-version"]));
        Assert.Equal("api://AzureADTokenExchange", Assert.Single(request.Query!["audience"]));
        Assert.Equal("Bearer request-token", Assert.Single(request.Headers!["Authorization"]));
        Assert.Equal("***", masker.Apply(token));
    }

    [Fact]
    public async Task A_refused_github_oidc_token_request_is_a_sign_in_failure()
    {
        using var server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
        server.Given(Request.Create().WithPath("/idtoken").UsingGet()).RespondWith(Response.Create().WithStatusCode(403));

        var error = await Assert.ThrowsAsync<CredentialUnavailableException>(() =>
            GitHubOidcToken.FetchAsync($"{server.Url}/idtoken?api-version=2.0", "request-token", null, TestContext.Current.CancellationToken));

        Assert.Equal("GitHub refused the job's OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL answered 403 Forbidden).", error.Message);
    }

    sealed class FailingCredential : TokenCredential
    {
        const string Message = "ClientAssertionCredential authentication failed: AADSTS70021: No matching federated identity record found for " +
                               "presented assertion.\nSee the troubleshooting guide for more information. https://aka.ms/azsdk/net/identity/clientassertioncredential/troubleshoot";

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException(Message);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException(Message);
    }
}
