using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using MeshHook.Tooling;

namespace MeshHook.Deployment.SignIn;

/// <summary>
/// The Entra ID credential every Azure call of the deployment uses (Key Vault, Container Apps, Blob Storage), picked from
/// the process environment, which comes in as a dictionary (never read globally, so the choice is testable):
/// <list type="bullet">
/// <item>GitHub Actions with <c>AZURE_CLIENT_ID</c>, <c>AZURE_TENANT_ID</c> and the job's OIDC token
/// (<c>ACTIONS_ID_TOKEN_REQUEST_URL</c>/<c>ACTIONS_ID_TOKEN_REQUEST_TOKEN</c>, present with <c>permissions: id-token: write</c>):
/// workload identity federation, the GitHub token (audience <c>api://AzureADTokenExchange</c>) exchanged for an Entra token.</item>
/// <item><c>AZURE_FEDERATED_TOKEN_FILE</c> with the client and tenant ids (e.g. Kubernetes workload identity): the same, from the file.</item>
/// <item>Otherwise (a laptop, or a job that ran <c>azure/login</c>): the Azure CLI's login (<c>az login</c>).</item>
/// </list>
/// Nothing is contacted when the credential is created (a dry run needs none). When no token can be had, the credential
/// throws an <see cref="AzureSignInException"/> saying what was tried, <c>az login</c>, and the OIDC variables.
/// </summary>
public static class AzureCredentials
{
    public const string ClientIdVariable = "AZURE_CLIENT_ID", TenantIdVariable = "AZURE_TENANT_ID",
        SubscriptionIdVariable = "AZURE_SUBSCRIPTION_ID", FederatedTokenFileVariable = "AZURE_FEDERATED_TOKEN_FILE",
        TokenRequestUrlVariable = "ACTIONS_ID_TOKEN_REQUEST_URL", TokenRequestTokenVariable = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

    /// <summary>The audience Entra ID expects on a federated (GitHub OIDC) token.</summary>
    public const string FederatedAudience = "api://AzureADTokenExchange";

    /// <param name="variables">The process environment (see <c>SecretProviders.ProcessVariables</c>).</param>
    /// <param name="masker">When given, the GitHub OIDC token fetched for the exchange is registered with it.</param>
    public static TokenCredential Create(IReadOnlyDictionary<string, string> variables, SecretMasker? masker = null)
    {
        var choice = Choose(variables);
        TokenCredential inner = choice.Kind switch
        {
            AzureSignIn.FederatedTokenFile => new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions
            {
                ClientId = choice.ClientId, TenantId = choice.TenantId, TokenFilePath = variables[FederatedTokenFileVariable],
            }),
            AzureSignIn.GitHubOidc => new ClientAssertionCredential(choice.TenantId, choice.ClientId,
                cancellationToken => GitHubOidcToken.FetchAsync(variables[TokenRequestUrlVariable], variables[TokenRequestTokenVariable], masker, cancellationToken)),
            _ => new AzureCliCredential(),
        };
        return new GuidedCredential(inner, choice);
    }

    /// <summary>Which sign-in <see cref="Create"/> uses for <paramref name="variables"/>, and why.</summary>
    public static AzureSignInChoice Choose(IReadOnlyDictionary<string, string> variables)
    {
        string? Get(string name) => variables.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;

        var inActions = string.Equals(Get("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
        var clientId = Get(ClientIdVariable);
        var tenantId = Get(TenantIdVariable);
        if (clientId is not null && tenantId is not null)
        {
            if (Get(FederatedTokenFileVariable) is not null)
                return new(AzureSignIn.FederatedTokenFile, clientId, tenantId, $"{FederatedTokenFileVariable}, {ClientIdVariable} and {TenantIdVariable} are set");
            if (inActions && Get(TokenRequestUrlVariable) is not null && Get(TokenRequestTokenVariable) is not null)
                return new(AzureSignIn.GitHubOidc, clientId, tenantId, $"GitHub Actions with {ClientIdVariable}, {TenantIdVariable} and the job's OIDC token");
        }

        if (!inActions)
            return new(AzureSignIn.AzureCli, null, null, "not in GitHub Actions");
        var missing = new[] { ClientIdVariable, TenantIdVariable, TokenRequestUrlVariable, TokenRequestTokenVariable }.Where(x => Get(x) is null).ToList();
        // A job may have signed the CLI in itself (azure/login); that is what is left to try.
        return new(AzureSignIn.AzureCli, null, null, $"GitHub Actions without {string.Join(", ", missing)}");
    }

    /// <summary>What to do when no token could be had: the same text for every Azure call.</summary>
    internal static string Guidance(AzureSignInChoice choice, string problem) =>
        $"Cannot sign in to Azure ({choice.Description}): {problem} " +
        "On a laptop, sign in with `az login` (and `az account set --subscription <id>`). In GitHub Actions, the job needs " +
        $"`permissions: id-token: write` and the variables {ClientIdVariable}, {TenantIdVariable} and {SubscriptionIdVariable} " +
        "(the GitHub environment's variables that infra/ sets), whose app has a federated credential for the repository and environment.";

    /// <summary>Turns "no token" into a message for the person running the deploy; everything else passes through.</summary>
    sealed class GuidedCredential(TokenCredential inner, AzureSignInChoice choice) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            try
            {
                return inner.GetToken(requestContext, cancellationToken);
            }
            catch (Exception exception) when (exception is CredentialUnavailableException or AuthenticationFailedException)
            {
                throw Explain(exception);
            }
        }

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.GetTokenAsync(requestContext, cancellationToken);
            }
            catch (Exception exception) when (exception is CredentialUnavailableException or AuthenticationFailedException)
            {
                throw Explain(exception);
            }
        }

        AzureSignInException Explain(Exception exception)
        {
            // Azure.Identity's messages run to troubleshooting links; the first line says what failed.
            var first = exception.Message.Split('\n', 2)[0].Trim();
            return new AzureSignInException(Guidance(choice, first.EndsWith('.') ? first : first + "."), exception);
        }
    }

    /// <summary>For tests: <paramref name="inner"/> behind the same guidance as <see cref="Create"/>.</summary>
    internal static TokenCredential Guarded(TokenCredential inner, AzureSignInChoice choice) => new GuidedCredential(inner, choice);
}

/// <summary>How <see cref="AzureCredentials"/> signs in.</summary>
public enum AzureSignIn
{
    /// <summary>The Azure CLI's login (<c>az login</c>, or <c>azure/login</c> in a job).</summary>
    AzureCli,
    /// <summary>Workload identity federation with the GitHub Actions job's OIDC token.</summary>
    GitHubOidc,
    /// <summary>Workload identity federation with the token in <c>AZURE_FEDERATED_TOKEN_FILE</c>.</summary>
    FederatedTokenFile,
}

/// <summary>The sign-in chosen, the identity (for federation) and why, in words.</summary>
public sealed record AzureSignInChoice(AzureSignIn Kind, string? ClientId, string? TenantId, string Reason)
{
    public string Description => Kind switch
    {
        AzureSignIn.GitHubOidc => $"workload identity federation with the GitHub OIDC token, client {ClientId}, tenant {TenantId}",
        AzureSignIn.FederatedTokenFile => $"workload identity federation with the token file, client {ClientId}, tenant {TenantId}",
        _ => $"Azure CLI login, {Reason}",
    };
}

/// <summary>No Entra ID token could be obtained; the message says how to sign in.</summary>
public sealed class AzureSignInException(string message, Exception? inner = null) : UserFacingException(message, inner);

/// <summary>The GitHub Actions job's OIDC token for Entra ID (what <c>azure/login</c> and <c>core.getIDToken()</c> fetch).</summary>
internal static class GitHubOidcToken
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<string> FetchAsync(string requestUrl, string requestToken, SecretMasker? masker, CancellationToken cancellationToken,
        HttpClient? http = null)
    {
        try
        {
            return await RequestAsync(requestUrl, requestToken, masker, http ?? Http, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or InvalidOperationException or UriFormatException)
        {
            throw new CredentialUnavailableException(
                $"The job's OIDC token could not be fetched from {AzureCredentials.TokenRequestUrlVariable}: {exception.Message}", exception);
        }
    }

    static async Task<string> RequestAsync(string requestUrl, string requestToken, SecretMasker? masker, HttpClient http, CancellationToken cancellationToken)
    {
        var separator = requestUrl.Contains('?') ? '&' : '?';
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{requestUrl}{separator}audience={Uri.EscapeDataString(AzureCredentials.FederatedAudience)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", requestToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new CredentialUnavailableException(
                $"GitHub refused the job's OIDC token ({AzureCredentials.TokenRequestUrlVariable} answered {(int)response.StatusCode} {response.ReasonPhrase}).");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("value", out var value) ||
            value.GetString() is not { Length: > 0 } token)
            throw new CredentialUnavailableException($"GitHub's OIDC token response ({AzureCredentials.TokenRequestUrlVariable}) has no \"value\".");
        masker?.Register(token);
        return token;
    }
}
