namespace MeshHook.Tooling.Tests;

public sealed class ToolExceptionsTests
{
    static readonly ToolCommand Command = new("tool");

    static ToolResult Result(int exitCode, params OutputLine[] output) =>
        new(Command, exitCode, output, TimeSpan.FromSeconds(1));

    [Fact]
    public void ToolExitException_message_shows_command_line_exit_code_and_last_20_lines()
    {
        var lines = Enumerable.Range(1, 25).Select(i => new OutputLine(OutputKind.StandardOutput, $"line {i}")).ToArray();
        var result = Result(4, lines);

        var exception = new ToolExitException(result, "tool --flag");

        Assert.Same(result, exception.Result);
        var messageLines = exception.Message.Split(Environment.NewLine);
        Assert.Equal("Process 'tool --flag' exited with code 4.", messageLines[0]);
        Assert.Equal("Last 20 lines of its output:", messageLines[1]);
        Assert.Equal(Enumerable.Range(6, 20).Select(i => $"  line {i}"), messageLines[2..]);
    }

    [Fact]
    public void ToolExitException_without_output_has_only_the_first_line()
    {
        var exception = new ToolExitException(Result(2), "tool");

        Assert.Equal("Process 'tool' exited with code 2.", exception.Message);
        Assert.IsAssignableFrom<ToolException>(exception);
    }

    [Fact]
    public void ToolTimeoutException_message_shows_the_timeout_and_the_last_lines()
    {
        var output = Enumerable.Range(1, 22).Select(i => new OutputLine(OutputKind.StandardOutput, $"l{i}")).ToArray();

        var exception = new ToolTimeoutException("tool x", TimeSpan.FromMilliseconds(1500), output);

        Assert.Equal(TimeSpan.FromMilliseconds(1500), exception.Timeout);
        var messageLines = exception.Message.Split(Environment.NewLine);
        Assert.Equal("Process 'tool x' did not finish within 1.5 s and was killed.", messageLines[0]);
        Assert.Equal(Enumerable.Range(3, 20).Select(i => $"  l{i}"), messageLines[2..]);
    }

    [Fact]
    public void ToolNotFoundException_names_the_executable_and_the_hint()
    {
        var withHint = new ToolNotFoundException("helm", "Install Helm: https://helm.sh/docs/intro/install/");
        var withoutHint = new ToolNotFoundException("helm", null);

        Assert.Equal("helm", withHint.Executable);
        Assert.Equal("'helm' was not found on PATH. Install Helm: https://helm.sh/docs/intro/install/", withHint.Message);
        Assert.Equal("'helm' was not found on PATH.", withoutHint.Message);
    }
}
