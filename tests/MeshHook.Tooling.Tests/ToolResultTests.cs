namespace MeshHook.Tooling.Tests;

public sealed class ToolResultTests
{
    static readonly ToolCommand Command = new("tool");

    static ToolResult Result(int exitCode, params OutputLine[] output) =>
        new(Command, exitCode, output, TimeSpan.FromSeconds(1));

    [Fact]
    public void Succeeded_only_for_exit_code_zero()
    {
        Assert.True(Result(0).Succeeded);
        Assert.False(Result(1).Succeeded);
        Assert.False(Result(-1).Succeeded);
    }

    [Fact]
    public void Standard_output_and_error_are_joined_separately_in_order()
    {
        var result = Result(0,
            new OutputLine(OutputKind.StandardOutput, "out 1"),
            new OutputLine(OutputKind.StandardError, "err 1"),
            new OutputLine(OutputKind.StandardOutput, ""),
            new OutputLine(OutputKind.StandardOutput, "out 3"));

        Assert.Equal("out 1\n\nout 3", result.StandardOutput);
        Assert.Equal("err 1", result.StandardError);
    }

    [Fact]
    public void No_output_gives_empty_strings()
    {
        var result = Result(0);

        Assert.Equal(string.Empty, result.StandardOutput);
        Assert.Equal(string.Empty, result.StandardError);
        Assert.Empty(result.LastLines(20));
    }

    [Fact]
    public void LastLines_returns_the_tail_of_both_streams_in_order()
    {
        var lines = Enumerable.Range(1, 30)
            .Select(i => new OutputLine(i % 2 == 0 ? OutputKind.StandardError : OutputKind.StandardOutput, $"line {i}"))
            .ToArray();
        var result = Result(1, lines);

        Assert.Equal(Enumerable.Range(26, 5).Select(i => $"line {i}"), result.LastLines(5));
        Assert.Equal(30, result.LastLines(100).Count());
        Assert.Empty(result.LastLines(0));
    }
}
