using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace MeshHook.Edge;

/// <summary>
/// The local environment's stable URL: a small long-running reverse proxy that forwards everything to the release named in a
/// state file and switches, without failing a request, when the deployer rewrites that file.
/// </summary>
internal static class Program
{
    public const string NoReleaseMessage = "no release is active yet\n";

    public static async Task<int> Main(string[] args)
    {
        EdgeOptions options;
        try
        {
            options = EdgeOptions.Parse(args);
        }
        catch (EdgeHelpRequestedException)
        {
            await Console.Out.WriteLineAsync(EdgeOptions.Usage).ConfigureAwait(false);
            return 0;
        }
        catch (EdgeUsageException ex)
        {
            await Console.Error.WriteLineAsync($"MeshHook.Edge: {ex.Message}{Environment.NewLine}{EdgeOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        var startedAt = DateTimeOffset.UtcNow;
        await using var app = Build(options, startedAt);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MeshHook.Edge");
        var pidFile = options.PidFile is null ? null : new PidFile(options.PidFile);
        try
        {
            try
            {
                await app.StartAsync().ConfigureAwait(false);
                pidFile?.Write(Environment.ProcessId);
            }
#pragma warning disable CA1031 // Any start-up failure is reported and ends the process with 1.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError("MeshHook.Edge could not start on {Listen}: {Reason}", options.ListenUrl, ex.Message);
                return 1;
            }

            using (var self = System.Diagnostics.Process.GetCurrentProcess())
            {
                logger.LogInformation(
                    "MeshHook.Edge {Pid} listening on {Listen} (state file {StateFile}; ready {Ms} ms after process start)",
                    Environment.ProcessId,
                    options.ListenUrl,
                    options.StateFile,
                    (long)(DateTime.Now - self.StartTime).TotalMilliseconds);
            }

            await app.WaitForShutdownAsync().ConfigureAwait(false);
            logger.LogInformation("MeshHook.Edge {Pid} stopped", Environment.ProcessId);
            return 0;
        }
        finally
        {
            pidFile?.Delete(Environment.ProcessId);
        }
    }

    internal static WebApplication Build(EdgeOptions options, DateTimeOffset startedAt)
    {
        // The empty builder: no appsettings, no environment-variable configuration, no HTTPS/QUIC; only what the edge uses.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("System", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Warning)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });

        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(options.Listen);
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.DrainTimeout);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StateFileMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StateFileMonitor>());
        builder.Services.AddReverseProxy().LoadFromMemory(EdgeProxyConfig.Routes, EdgeProxyConfig.Clusters(null, startedAt));

        // YARP registers data protection for session-affinity cookies, which the edge does not use. Its hosted service would
        // create (and write under ~/.aspnet) a key ring at every start: keep keys in memory and skip that start-up work.
        builder.Services.AddSingleton<IDataProtectionProvider, EphemeralDataProtectionProvider>();
        var keyRingWarmUp = builder.Services.Where(d =>
            d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList();
        foreach (var descriptor in keyRingWarmUp)
        {
            builder.Services.Remove(descriptor);
        }

        var app = builder.Build();

        var monitor = app.Services.GetRequiredService<StateFileMonitor>();
        monitor.LoadInitial();

        var lookup = app.Services.GetRequiredService<IProxyStateLookup>();
        app.Map("/_edge/{**rest}", (RequestDelegate)(context => HandleAdmin(context, options, startedAt, monitor, lookup)));
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(static (context, next) =>
            {
                if (context.GetReverseProxyFeature().AllDestinations.Count == 0)
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    context.Response.Headers.CacheControl = "no-store";
                    context.Response.Headers.RetryAfter = "1";
                    return context.Response.WriteAsync(NoReleaseMessage, context.RequestAborted);
                }

                return next();
            });
            pipeline.UseLoadBalancing();
        });

        return app;
    }

    private static async Task HandleAdmin(
        HttpContext context,
        EdgeOptions options,
        DateTimeOffset startedAt,
        StateFileMonitor monitor,
        IProxyStateLookup lookup)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!IsLoopback(context.Connection.RemoteIpAddress))
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync("the edge's admin endpoints answer loopback clients only\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!string.Equals(context.Request.Path.Value, "/_edge/status", StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync("unknown admin endpoint; try GET /_edge/status\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        var active = EdgeProxyConfig.ActiveDestination(lookup);
        var status = new EdgeStatus(
            Release: Get(active, EdgeProxyConfig.ReleaseKey),
            Upstream: Get(active, EdgeProxyConfig.UpstreamKey),
            SwitchedAt: Get(active, EdgeProxyConfig.SwitchedAtKey),
            LoadedAt: Get(active, EdgeProxyConfig.LoadedAtKey) is { } loaded
                ? DateTimeOffset.Parse(loaded, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
                : null,
            Pid: Environment.ProcessId,
            StartedAt: startedAt,
            StateFile: options.StateFile,
            StateError: monitor.StateError);

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await JsonSerializer.SerializeAsync(response.Body, status, EdgeJsonContext.Default.EdgeStatus, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static string? Get(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? value : null;

    internal static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
