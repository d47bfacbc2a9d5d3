using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Notifications;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MeshHook.Deployment.Tests.Notifications;

/// <summary>A real SMTP server on loopback (SmtpServer, in process) that keeps every message it receives.</summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _running;
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();
    public int Port { get; }
    public SemaphoreSlim Received { get; } = new(0);

    public SmtpReceiver()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(x => x.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public string Url => $"smtp://127.0.0.1:{Port}";

    sealed class Store(SmtpReceiver receiver) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            receiver.Messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            receiver.Received.Release();
            return SmtpResponse.Ok;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

static class Samples
{
    public const string Canary = "canary-n0tify-5ecret-91ab";

    public static Announcement Announcement(AnnouncementKind kind = AnnouncementKind.Succeeded) => new()
    {
        Kind = kind, DeploymentId = "d-20260101-120000-abcdef", DeploymentKind = "deploy", Environment = "production", Release = "r-20260101-1200-0123456789ab",
        Version = "1.4.2", Commit = "0123456789abcdef0123456789abcdef01234567", PreviousRelease = "r-20251231-0900-fedcba987654", PreviousCommit = "fedcba9876543210fedcba9876543210fedcba98",
        Actor = "octocat", At = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), Duration = TimeSpan.FromSeconds(83), Migrations = ["20260101000000_add_events.sql"],
        EnvironmentUrl = new Uri("https://meshhook.example.com"), RunUrl = new Uri("https://github.com/o/r/actions/runs/42"), RepositoryUrl = new Uri("https://github.com/o/r"),
        Stage = kind is AnnouncementKind.Failed or AnnouncementKind.RolledBack ? "verify" : null,
        Error = kind is AnnouncementKind.Failed or AnnouncementKind.RolledBack ? $"health check failed, token={Canary}" : null,
    };

    public static SecretMasker Masker()
    {
        var masker = new SecretMasker();
        masker.Register(Canary);
        return masker;
    }

    public static NotificationDispatcher Dispatcher(IReadOnlyList<INotifier> notifiers, List<string> warnings, SecretMasker masker, TimeProvider? time = null, DeliveryPolicy? policy = null) =>
        new(notifiers, policy ?? new DeliveryPolicy { Timeout = TimeSpan.FromSeconds(10), Attempts = 3, Backoff = TimeSpan.FromMilliseconds(50) },
            time ?? TimeProvider.System, new DeploymentLog(_ => { }, warnings.Add), masker);
}
