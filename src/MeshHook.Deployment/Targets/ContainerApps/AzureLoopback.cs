using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using MeshHook.Deployment.CloudState;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// TEST-ONLY: the process-level form of <see cref="ContainerAppsConnections"/>, so a real <c>./build.sh Deploy --environment
/// staging</c> process can be tested against the loopback ARM fake, Azurite and the Key Vault stub. It is the environment
/// variable <see cref="Variable"/> holding one JSON object:
/// <code>{ "arm": "https://127.0.0.1:P/", "state": "https://127.0.0.1:P/devstoreaccount1/container", "keyVault": "https://127.0.0.1:P/",
///   "health": "https://127.0.0.1:P/", "certificates": "/path/pinned.pem", "token": "..." }</code>
/// Why a variable and not a setting: environment.json's schema refuses unknown keys, so a committed environment can never
/// redirect a deploy; a variable lives in one process only. Why it is safe: every address must be an https IP literal in
/// 127.0.0.0/8 or ::1 (a host name could resolve anywhere), the servers' certificates are pinned (no CA is trusted), and the
/// static bearer token is accepted only here, together with those loopback addresses: it cannot send a token to Azure nor
/// an Azure token anywhere. It is refused in GitHub Actions (a deploy job must never report a deploy that reached test
/// servers only). When set, the run says so loudly; anything malformed stops the verb before anything is contacted.
/// </summary>
internal static class AzureLoopback
{
    public const string Variable = "MESHHOOK_TEST_AZURE_LOOPBACK";

    static readonly string[] Keys = ["arm", "state", "keyVault", "health", "certificates", "token"];

    /// <summary>The redirection <see cref="Variable"/> asks for, or null when it is not set (a real deploy).</summary>
    public static ContainerAppsConnections? FromVariables(IReadOnlyDictionary<string, string> variables, EnvironmentConfiguration environment,
        SecretMasker masker, TimeProvider time, DeploymentLog log)
    {
        if (variables.GetValueOrDefault(Variable) is not { Length: > 0 } text)
            return null;
        // A deploy job must never report a deploy that only reached test servers.
        if (string.Equals(variables.GetValueOrDefault("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
            throw new UserFacingException($"{Variable} is set in GitHub Actions: it is a test-only setting that no deploy job may carry. " +
                                          "Remove it from the workflow, the GitHub environment's variables and the repository's variables. Nothing was contacted.");
        var settings = Parse(text);
        masker.Register(settings.Token);
        var pinned = Pinned(settings.Certificates);
        var credential = new StaticTokenCredential(settings.Token);
        log.Warning($"TEST-ONLY {Variable} is set: Azure is NOT contacted. ARM goes to {settings.Arm}, the deployment state to " +
                    $"{BlobState.Describe(settings.State)}, Key Vault to {settings.KeyVault} and health checks to {settings.Health} " +
                    "(loopback only, pinned certificates, a static token). Unset it for a real deploy.");
        return new ContainerAppsConnections
        {
            Arm = () =>
            {
                var options = new ContainerAppsClientOptions { Endpoint = settings.Arm, Environment = environment.Name.ToText(), Time = time, Transport = Transport(pinned) };
                return new ContainerAppsClient(credential, options);
            },
            State = () =>
            {
                var segments = settings.State.AbsolutePath.Trim('/').Split('/');
                if (segments.Length != 2)
                    throw Invalid("state", $"'{BlobState.Describe(settings.State)}' is not https://127.0.0.1:<port>/<account>/<container> (Azurite's path-style container URL)");
                var account = new Uri(settings.State.GetLeftPart(UriPartial.Authority) + "/" + segments[0]);
                return BlobState.Container(account, segments[1], credential, new BlobClientOptions { Transport = Transport(pinned) });
            },
            Secrets = () =>
            {
                var options = new SecretClientOptions { Transport = Transport(pinned) };
                options.AddPolicy(new ToLoopback(settings.KeyVault), HttpPipelinePosition.BeforeTransport);
                return SecretProviders.KeyVault(environment, variables, masker, time, credential, options);
            },
            Health = new HttpClient(new SocketsHttpHandler
            {
                // Every health URL (environment and label URLs keep their host names, for SNI and Host) is answered at the loopback server.
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        await socket.ConnectAsync(IPAddress.Parse(settings.Health.Host.Trim('[', ']')), settings.Health.Port, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
                SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => IsPinned(pinned, certificate) },
            }) { Timeout = Timeout.InfiniteTimeSpan },
        };
    }

    /// <summary>The variable's JSON, every key checked; a mistake names the key and what is expected, before anything is contacted.</summary>
    internal static Settings Parse(string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new UserFacingException($"{Variable} is not valid JSON ({exception.Message}). It is a test-only setting: unset it for a real deploy. Nothing was contacted.");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new UserFacingException($"{Variable} must be a JSON object with {string.Join(", ", Keys)}. It is a test-only setting: unset it for a real deploy. Nothing was contacted.");
        var unknown = root.EnumerateObject().Select(x => x.Name).Where(x => !Keys.Contains(x, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw Invalid(unknown[0], $"is not a key of it (keys: {string.Join(", ", Keys)})");
        string Text(string key) => root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw Invalid(key, "is missing (a non-empty string is expected)");
        return new Settings(Loopback("arm", Text("arm")), Loopback("state", Text("state")), Loopback("keyVault", Text("keyVault")),
            Loopback("health", Text("health")), Text("certificates"), Text("token"));
    }

    /// <summary>An https URL whose host is an IP literal on loopback (127.0.0.0/8, ::1); everything else is refused.</summary>
    static Uri Loopback(string key, string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            throw Invalid(key, $"'{text}' is not an absolute https:// URL (bearer tokens are never sent over http)");
        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || !IPAddress.IsLoopback(address))
            throw Invalid(key, $"'{uri.GetLeftPart(UriPartial.Authority)}' is not a loopback address: only 127.0.0.0/8 and [::1] are accepted (no host names), " +
                               "because this test-only redirection must never reach a real service");
        return uri;
    }

    static UserFacingException Invalid(string key, string problem) =>
        new($"{Variable}: \"{key}\" {problem}. It is a test-only setting (see README, Deploying to Azure): unset it for a real deploy. Nothing was contacted.");

    /// <summary>The certificates of the loopback servers (PEM), trusted by exact match only.</summary>
    static IReadOnlyList<string> Pinned(string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw Invalid("certificates", $"'{path}' could not be read as PEM certificates ({exception.Message})");
        }
        if (certificates.Count == 0)
            throw Invalid("certificates", $"'{path}' holds no PEM certificate");
        var hashes = certificates.Select(x => x.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)).ToList();
        foreach (var certificate in certificates)
            certificate.Dispose();
        return hashes;
    }

    static bool IsPinned(IReadOnlyList<string> pinned, X509Certificate? certificate) =>
        certificate is not null && pinned.Contains(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), StringComparer.OrdinalIgnoreCase);

    static HttpClientTransport Transport(IReadOnlyList<string> pinned) => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) => IsPinned(pinned, certificate),
    });

    internal sealed record Settings(Uri Arm, Uri State, Uri KeyVault, Uri Health, string Certificates, string Token);

    /// <summary>The test-only credential: one fixed bearer token, handed only to clients aimed at the loopback addresses above.</summary>
    sealed class StaticTokenCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>
    /// Sends Key Vault's finished request to the loopback server instead of NAME.vault.azure.net and puts the vault's host back
    /// once answered, so the SDK's own checks (the challenge's resource must match the vault's domain) run as against Azure.
    /// </summary>
    internal sealed class ToLoopback(Uri server) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            message.SetProperty(typeof(ToLoopback), (message.Request.Uri.Host, message.Request.Uri.Port));
            message.Request.Uri.Host = server.Host;
            message.Request.Uri.Port = server.Port;
        }

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (message.TryGetProperty(typeof(ToLoopback), out var original) && original is (string host, int port))
            {
                message.Request.Uri.Host = host;
                message.Request.Uri.Port = port;
            }
        }
    }
}
