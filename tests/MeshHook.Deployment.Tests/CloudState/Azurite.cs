using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Storage.Blobs;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Testing;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.CloudState;

/// <summary>
/// Azurite's blob service (npm <c>azurite</c>, from tools/) on a free loopback port, over https with a certificate made
/// here and <c>--oauth basic</c>, so clients sign in with Entra ID bearer tokens as against the real account (whose shared
/// keys are off). Started once per test class, ready when its port accepts connections; killed at the end (and tied to
/// the test run through MESHHOOK_TEST_OWNER, inherited, so an interrupted run does not leave it running).
/// </summary>
public sealed class Azurite : IAsyncLifetime
{
    readonly TempDirectory _temp = new();
    readonly CancellationTokenSource _stop = new();
    Task<ToolResult>? _run;

    public int Port { get; private set; }

    public Uri AccountUrl => new($"https://127.0.0.1:{Port}/{EmulatorClients.Account}");

    public string CertificatePem => _temp.Combine("cert.pem");

    public string Work => _temp.Path;

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await BuildTools.EnsureInstalledAsync(cancellationToken);
        WriteCertificate();
        Port = FreePort();
        var script = Path.Combine(RepositoryFiles.Root, "tools", "node_modules", "azurite", "dist", "src", "blob", "main.js");
        Assert.True(File.Exists(script), $"{script} is missing: npm ci --prefix tools.");
        _run = new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand("node", script,
            "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", _temp.Combine("data"), "--skipApiVersionCheck", "--silent",
            "--oauth", "basic", "--cert", CertificatePem, "--key", _temp.Combine("key.pem"))
        {
            ThrowOnFailure = false, LogOutput = false, Timeout = TimeSpan.FromMinutes(30),
        }, _stop.Token);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_run.IsCompleted)
                Assert.Fail("azurite-blob ended before listening: " + string.Join('\n', (await _run).Output.Select(x => x.Text)));
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    /// <summary>A fresh container of its own for one test (every test gets its own, so they never see each other's blobs).</summary>
    public async Task<BlobContainerClient> NewContainerAsync(CancellationToken cancellationToken)
    {
        var container = Container("t" + Guid.NewGuid().ToString("N"));
        await container.CreateAsync(cancellationToken: cancellationToken);
        return container;
    }

    public BlobContainerClient Container(string name, int maxRetries = 2, TokenCredential? credential = null) =>
        EmulatorClients.Container(AccountUrl, name, CertificatePem, maxRetries, credential);

    void WriteCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(CertificatePem, certificate.ExportCertificatePem());
        File.WriteAllText(_temp.Combine("key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
                // Killed, as asked.
            }
        }
        _stop.Dispose();
        _temp.Dispose();
    }
}
