using Azure.Core;

namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>A credential that hands out a fixed token (and counts the scopes asked for), or fails as Azure.Identity does.</summary>
public sealed class FakeCredential(string token = "test-token-abc", Exception? failure = null) : TokenCredential
{
    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (Scopes)
            Scopes.AddRange(requestContext.Scopes);
        if (failure is not null)
            throw failure;
        return ValueTask.FromResult(new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1)));
    }
}
