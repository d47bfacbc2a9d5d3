using System.Net;

namespace MeshHook.Edge.Tests;

public sealed class EdgeOptionsTests
{
    [Fact]
    public void Parses_the_deployers_command_line()
    {
        var options = EdgeOptions.Parse(["--listen", "http://127.0.0.1:8080", "--state", "/tmp/x/edge.json", "--pid-file", "/tmp/x/edge.pid"]);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), options.Listen);
        Assert.Equal("/tmp/x/edge.json", options.StateFile);
        Assert.Equal("/tmp/x/edge.pid", options.PidFile);
        Assert.Equal(EdgeOptions.DefaultDrainTimeout, options.DrainTimeout);
    }

    [Fact]
    public void Accepts_name_equals_value_localhost_and_a_drain_timeout()
    {
        var options = EdgeOptions.Parse(["--listen=http://localhost:9000/", "--state=edge.json", "--drain-timeout", "2.5"]);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9000), options.Listen);
        Assert.Equal(Path.GetFullPath("edge.json"), options.StateFile);
        Assert.Null(options.PidFile);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.DrainTimeout);
    }

    [Theory]
    [InlineData(new[] { "--state", "s.json" }, "missing required option '--listen'")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1" }, "missing required option '--state'")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1", "--state", "s", "--port", "3" }, "unknown option '--port'")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1", "--state", "s", "--verbose=1" }, "unknown option '--verbose'")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1", "--state" }, "option '--state' needs a value")]
    [InlineData(new[] { "--listen", "--state", "s" }, "option '--listen' needs a value")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1", "--state", "a", "--state", "b" }, "option '--state' is given more than once")]
    [InlineData(new[] { "serve" }, "unexpected argument 'serve'")]
    [InlineData(new[] { "--listen", "https://127.0.0.1:1", "--state", "s" }, "must use http://")]
    [InlineData(new[] { "--listen", "http://127.0.0.1", "--state", "s" }, "explicit port")]
    [InlineData(new[] { "--listen", "http://example.com:80", "--state", "s" }, "IP address or 'localhost'")]
    [InlineData(new[] { "--listen", "127.0.0.1:8080", "--state", "s" }, "--listen")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:8080/app", "--state", "s" }, "scheme, host and port only")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1", "--state", "s", "--drain-timeout", "soon" }, "'--drain-timeout' must be a number")]
    [InlineData(new[] { "--listen", "http://127.0.0.1:1", "--state", "" }, "non-empty value")]
    public void Rejects_a_wrong_command_line_with_a_clear_message(string[] args, string expected)
    {
        var ex = Assert.Throws<EdgeUsageException>(() => EdgeOptions.Parse(args));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_is_recognised()
    {
        Assert.Throws<EdgeHelpRequestedException>(() => EdgeOptions.Parse(["--help"]));
        Assert.Contains("--listen", EdgeOptions.Usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.5", false)]
    public void Admin_endpoints_are_for_loopback_clients(string address, bool loopback)
    {
        Assert.Equal(loopback, Program.IsLoopback(IPAddress.Parse(address)));
    }
}
