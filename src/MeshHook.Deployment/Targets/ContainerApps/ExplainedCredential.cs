using Azure.Core;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// Wraps the deploy's credential so a token that cannot be obtained stops the deploy with what to do (az login, or the
/// OIDC variables in GitHub Actions) instead of an Azure.Identity stack trace. Nothing was sent to ARM at that point.
/// </summary>
sealed class ExplainedCredential(TokenCredential inner) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return inner.GetToken(requestContext, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not ContainerAppsException)
        {
            throw Explain(requestContext, exception);
        }
    }

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetTokenAsync(requestContext, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not ContainerAppsException)
        {
            throw Explain(requestContext, exception);
        }
    }

    static ContainerAppsException Explain(TokenRequestContext context, Exception exception) =>
        new($"Could not get an Azure access token for {string.Join(" ", context.Scopes)}: {exception.Message} " +
            "On a laptop: run `az login` (and `az account set --subscription <AZURE_SUBSCRIPTION_ID>`). In GitHub Actions: the job " +
            "needs `permissions: id-token: write` and the variables AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID " +
            "(infra/ sets them per GitHub environment) for workload identity (OIDC). Nothing was changed in Azure.",
            code: "CredentialUnavailable", inner: exception);
}
