using System.Net;

namespace MeshHook.Edge;

/// <summary>The edge's command line: <c>--listen URL --state FILE [--pid-file FILE] [--drain-timeout SECONDS]</c>.</summary>
internal sealed record EdgeOptions(
    IPEndPoint Listen,
    string ListenUrl,
    string StateFile,
    string? PidFile,
    TimeSpan DrainTimeout)
{
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(15);

    public const string Usage =
        """
        Usage: dotnet MeshHook.Edge.dll --listen http://127.0.0.1:PORT --state PATH/edge.json [--pid-file PATH] [--drain-timeout SECONDS]

          --listen URL             where the edge listens; http only, an IP literal or 'localhost' (binds 127.0.0.1), explicit port
          --state FILE             JSON state file naming the active release: {"release": "...", "upstream": "http://...", "switchedAt": "..."}
                                   (need not exist yet; re-read when it changes)
          --pid-file FILE          written (atomically) once the edge listens; removed on clean exit
          --drain-timeout SECONDS  how long SIGTERM waits for in-flight requests (default 15)
          --help                   print this text
        """;

    private static readonly string[] Known = ["--listen", "--state", "--pid-file", "--drain-timeout"];

    /// <summary>Parses the arguments; throws <see cref="EdgeUsageException"/> with a clear message when they are wrong.</summary>
    public static EdgeOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                throw new EdgeHelpRequestedException();
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new EdgeUsageException($"unexpected argument '{arg}': options start with '--' (known: {string.Join(", ", Known)})");
            }

            string name;
            string value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg;
                if (!Known.Contains(name, StringComparer.Ordinal))
                {
                    throw new EdgeUsageException($"unknown option '{name}' (known: {string.Join(", ", Known)})");
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new EdgeUsageException($"option '{name}' needs a value");
                }

                value = args[++i];
            }

            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                throw new EdgeUsageException($"unknown option '{name}' (known: {string.Join(", ", Known)})");
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                throw new EdgeUsageException($"option '{name}' needs a non-empty value");
            }

            if (!values.TryAdd(name, value))
            {
                throw new EdgeUsageException($"option '{name}' is given more than once");
            }
        }

        var listenUrl = Required(values, "--listen");
        var state = Required(values, "--state");
        values.TryGetValue("--pid-file", out var pidFile);

        var drain = DefaultDrainTimeout;
        if (values.TryGetValue("--drain-timeout", out var drainText))
        {
            if (!double.TryParse(drainText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || seconds < 0 || seconds > 3600 || double.IsNaN(seconds))
            {
                throw new EdgeUsageException($"option '--drain-timeout' must be a number of seconds between 0 and 3600, not '{drainText}'");
            }

            drain = TimeSpan.FromSeconds(seconds);
        }

        return new EdgeOptions(
            ParseListen(listenUrl),
            listenUrl,
            Path.GetFullPath(state),
            pidFile is null ? null : Path.GetFullPath(pidFile),
            drain);
    }

    private static string Required(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw new EdgeUsageException($"missing required option '{name}'");

    internal static IPEndPoint ParseListen(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new EdgeUsageException($"option '--listen' must be a URL like http://127.0.0.1:8080, not '{url}'");
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new EdgeUsageException($"option '--listen' must use http:// (got '{uri.Scheme}://')");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new EdgeUsageException($"option '--listen' must be scheme, host and port only, not '{url}'");
        }

        // Uri fills in 80 when the port is left out; the edge wants it spelled out.
        var authority = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..].TrimEnd('/');
        if (uri.IsDefaultPort && !authority.EndsWith(":80", StringComparison.Ordinal))
        {
            throw new EdgeUsageException($"option '--listen' needs an explicit port, e.g. http://127.0.0.1:8080 (got '{url}')");
        }

        IPAddress address;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out address!))
        {
            throw new EdgeUsageException($"option '--listen' needs an IP address or 'localhost' as host, not '{uri.Host}'");
        }

        if (uri.Port is < 1 or > 65535)
        {
            throw new EdgeUsageException($"option '--listen' port must be 1-65535, not {uri.Port}");
        }

        return new IPEndPoint(address, uri.Port);
    }
}

/// <summary>Wrong command line; the message says what is wrong.</summary>
internal sealed class EdgeUsageException(string message) : Exception(message);

/// <summary><c>--help</c> was given.</summary>
internal sealed class EdgeHelpRequestedException() : Exception("help requested");
