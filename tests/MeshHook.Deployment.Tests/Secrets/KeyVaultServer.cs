using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using MeshHook.Deployment.Targets.ContainerApps;
using WireMock.Logging;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using Request = WireMock.RequestBuilders.Request;

namespace MeshHook.Deployment.Tests.Secrets;

/// <summary>
/// A loopback Key Vault: WireMock over HTTPS on 127.0.0.1 with a self-signed certificate, answering the secrets REST paths
/// as the vault does (a 401 challenge to requests without the bearer token, then the responses each test maps). The
/// SDK's client is the real one: only the transport is pointed here (the host of <see cref="VaultUrl"/> is rewritten to
/// the server's after the SDK has built and authorized the request), so what is asserted is what the SDK really sends.
/// </summary>
sealed class KeyVaultServer : IDisposable
{
    public const string Token = "kv-test-token", TenantId = "00000000-0000-0000-0000-0000000000aa";

    readonly X509Certificate2 _certificate;

    readonly string _token;

    /// <param name="token">The bearer token it accepts (a process-level test hands one static token to every loopback service).</param>
    public KeyVaultServer(string vaultName, string token = Token)
    {
        _token = token;
        VaultUrl = new Uri($"https://{vaultName}.vault.azure.net/");
        _certificate = CreateCertificate();
        Server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = ["https://127.0.0.1:0"],
            UseSSL = true,
            CertificateSettings = new WireMockCertificateSettings { X509Certificate = _certificate },
        });
        // What the vault answers to a request without a token: the challenge naming the tenant and the resource.
        Server.Given(Request.Create().UsingAnyMethod()).AtPriority(1000).RespondWith(Response.Create().WithStatusCode(401)
            .WithHeader("WWW-Authenticate", $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"https://vault.azure.net\"")
            .WithBodyAsJson(new { error = new { code = "Unauthorized", message = "AKV10000: Request is missing a Bearer or PoP token." } }));
    }

    public WireMockServer Server { get; }

    /// <summary>The vault URL the client is given (https://NAME.vault.azure.net/); requests reach the loopback server.</summary>
    public Uri VaultUrl { get; }

    /// <summary>Maps an authorized request (the bearer token it was made with) of <paramref name="method"/> on <paramref name="path"/>.</summary>
    public void Answer(string method, string path, int status, object body, IDictionary<string, string>? query = null)
    {
        var request = Request.Create().WithPath(path).UsingMethod(method).WithHeader("Authorization", $"Bearer {_token}");
        foreach (var (name, value) in query ?? new Dictionary<string, string>())
            request = request.WithParam(name, value);
        Server.Given(request).AtPriority(query is null ? 10 : 5).RespondWith(Response.Create().WithStatusCode(status).WithBodyAsJson(body));
    }

    /// <summary>The requests that carried the token (the challenge round trip left out).</summary>
    public IReadOnlyList<ILogEntry> Authorized =>
        Server.LogEntries.Where(x => x.RequestMessage.Headers?.TryGetValue("Authorization", out var value) == true && value.Contains($"Bearer {_token}")).ToList();

    /// <summary>The Key Vault SDK's options a production client gets, plus the transport to this server.</summary>
    public SecretClientOptions Options()
    {
        var options = new SecretClientOptions { Retry = { MaxRetries = 0 } };
        var thumbprint = _certificate.GetCertHashString();
        options.Transport = new HttpClientTransport(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint,
        });
        // The same redirection MESHHOOK_TEST_AZURE_LOOPBACK uses: the vault's host is put back once answered.
        options.AddPolicy(new AzureLoopback.ToLoopback(new Uri(Server.Url!)), HttpPipelinePosition.BeforeTransport);
        return options;
    }

    /// <summary>Its certificate (PEM), for a client that pins it.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        _certificate.Dispose();
    }

    static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}

/// <summary>A credential that hands out <see cref="KeyVaultServer.Token"/> and records what it was asked for.</summary>
sealed class RecordingCredential : TokenCredential
{
    public List<TokenRequestContext> Requests { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (Requests)
            Requests.Add(requestContext);
        return new AccessToken(KeyVaultServer.Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>What AzureCliCredential throws where the Azure CLI is not installed.</summary>
sealed class UnavailableCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        throw new CredentialUnavailableException("Azure CLI not installed");

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        throw new CredentialUnavailableException("Azure CLI not installed");
}
