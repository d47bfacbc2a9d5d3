using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using MeshHook.Deployment.CloudState;

namespace MeshHook.Testing;

/// <summary>
/// Clients of the test's Azurite (blob emulator) signed in the way the real account demands, with an Entra ID bearer
/// token: Azurite's <c>--oauth basic</c> checks a token's shape, issuer, audience and lifetime, not its signature, so a
/// fake <see cref="TokenCredential"/> issues an unsigned one. Bearer tokens need https: Azurite serves the test's
/// self-signed certificate, which these clients trust (that certificate only, by thumbprint).
/// Shared by the tests and MeshHook.Contender (linked into both).
/// </summary>
public static class EmulatorClients
{
    public const string Account = "devstoreaccount1";

    public static BlobContainerClient Container(Uri accountUrl, string container, string certificatePem, int maxRetries = 2,
        TokenCredential? credential = null)
    {
        var thumbprint = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePem)).Thumbprint;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint,
        };
        var options = new BlobClientOptions
        {
            Transport = new HttpClientTransport(handler),
            Retry = { MaxRetries = maxRetries, Delay = TimeSpan.FromMilliseconds(50), NetworkTimeout = TimeSpan.FromSeconds(30) },
        };
        return BlobState.Container(accountUrl, container, credential ?? new FakeEntraCredential(), options);
    }

    /// <summary>Issues unsigned JWTs with what Azurite checks: an Entra issuer, the storage audience and a valid lifetime.</summary>
    public sealed class FakeEntraCredential(string audience = "https://storage.azure.com") : TokenCredential
    {
        public int Issued { get; private set; }

        /// <summary>The last token issued (tests check it appears in no message).</summary>
        public string? LastToken { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Issued++;
            var now = DateTimeOffset.UtcNow;
            var claims = new
            {
                aud = audience,
                iss = "https://sts.windows.net/00000000-0000-0000-0000-00000000c0de/",
                iat = now.AddMinutes(-5).ToUnixTimeSeconds(),
                nbf = now.AddMinutes(-5).ToUnixTimeSeconds(),
                exp = now.AddHours(1).ToUnixTimeSeconds(),
                oid = "11111111-2222-3333-4444-555555555555",
            };
            var token = LastToken = $"{Encode(new { alg = "none", typ = "JWT" })}.{Encode(claims)}.";
            return new AccessToken(token, now.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));

        static string Encode(object value) =>
            Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
