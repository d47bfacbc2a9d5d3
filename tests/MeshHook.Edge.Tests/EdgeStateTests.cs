using System.Text;

namespace MeshHook.Edge.Tests;

public sealed class EdgeStateTests
{
    [Fact]
    public void Parses_the_deployers_state_file()
    {
        var state = EdgeState.Parse("""{ "release": "20250101T000000Z-abc1234", "upstream": "http://127.0.0.1:43121", "switchedAt": "2025-01-01T00:00:00Z", "extra": 1 }"""u8);

        Assert.Equal("20250101T000000Z-abc1234", state.Release);
        Assert.Equal("http://127.0.0.1:43121", state.Upstream.OriginalString);
        Assert.Equal("2025-01-01T00:00:00Z", state.SwitchedAt);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("  \n", "empty")]
    [InlineData("null", "null")]
    [InlineData("{", "not valid JSON")]
    [InlineData("{\"release\": \"r\", \"upstream\": \"http://127.0.0.1:1\"", "not valid JSON")]
    [InlineData("{\"release\": 5, \"upstream\": \"http://127.0.0.1:1\"}", "not valid JSON")]
    [InlineData("{\"upstream\": \"http://127.0.0.1:1\"}", "'release' is missing")]
    [InlineData("{\"release\": \" \", \"upstream\": \"http://127.0.0.1:1\"}", "'release' is missing")]
    [InlineData("{\"release\": \"r\\n1\", \"upstream\": \"http://127.0.0.1:1\"}", "printable")]
    [InlineData("{\"release\": \"r\"}", "'upstream' is missing")]
    [InlineData("{\"release\": \"r\", \"upstream\": \"127.0.0.1:1\"}", "'upstream' must be")]
    [InlineData("{\"release\": \"r\", \"upstream\": \"/relative\"}", "'upstream' must be")]
    [InlineData("{\"release\": \"r\", \"upstream\": \"http://u:p@127.0.0.1:1\"}", "'upstream' must be")]
    [InlineData("{\"release\": \"r\", \"upstream\": \"http://127.0.0.1:1/?a=b\"}", "'upstream' must be")]
    public void Rejects_a_bad_state_file_with_the_reason(string content, string reason)
    {
        var ex = Assert.Throws<EdgeStateException>(() => EdgeState.Parse(Encoding.UTF8.GetBytes(content)));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
