namespace MeshHook.Tooling.Tests;

public sealed class ToolCommandTests
{
    [Fact]
    public void Commands_built_separately_with_the_same_content_are_equal()
    {
        var a = new ToolCommand("npm", "ci") { Environment = new Dictionary<string, string?> { ["CI"] = "1" } };
        var b = new ToolCommand("npm", ["ci"]) { Environment = new Dictionary<string, string?> { ["CI"] = "1" } };

        Assert.Equal(a, b);
        Assert.NotEqual(a, b.WithArguments("--omit=dev"));
        Assert.NotEqual(a, b with { Environment = new Dictionary<string, string?> { ["CI"] = "0" } });
    }

    [Fact]
    public void Defaults_log_output_throw_on_failure_and_set_nothing_else()
    {
        var command = new ToolCommand("git", "status");

        Assert.Equal("git", command.Executable);
        Assert.Equal(["status"], command.Arguments);
        Assert.Null(command.WorkingDirectory);
        Assert.Empty(command.Environment);
        Assert.Null(command.Timeout);
        Assert.Null(command.StandardInput);
        Assert.True(command.LogOutput);
        Assert.True(command.ThrowOnFailure);
        Assert.Null(command.InstallHint);
    }

    [Fact]
    public void Command_without_arguments_has_an_empty_argument_list()
    {
        var command = new ToolCommand("pwd");

        Assert.Empty(command.Arguments);
        Assert.Equal("pwd", command.ToDisplayString());
    }

    [Fact]
    public void WithArguments_appends_and_leaves_the_original_unchanged()
    {
        var original = new ToolCommand("dotnet", "build") { Timeout = TimeSpan.FromMinutes(1), InstallHint = "hint" };

        var extended = original.WithArguments("-c", "Release");

        Assert.Equal(["build"], original.Arguments);
        Assert.Equal(["build", "-c", "Release"], extended.Arguments);
        Assert.Equal(TimeSpan.FromMinutes(1), extended.Timeout);
        Assert.Equal("hint", extended.InstallHint);
    }

    [Theory]
    [InlineData("simple", "simple")]
    [InlineData("--flag=value", "--flag=value")]
    [InlineData("path/to/file.txt", "path/to/file.txt")]
    [InlineData("user@host:22", "user@host:22")]
    [InlineData("a+b,c%d_e", "a+b,c%d_e")]
    [InlineData("", "''")]
    [InlineData("with space", "'with space'")]
    [InlineData("a; echo injected", "'a; echo injected'")]
    [InlineData("$(rm -rf /)", "'$(rm -rf /)'")]
    [InlineData("`tick`", "'`tick`'")]
    [InlineData("double\"quote", "'double\"quote'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("*", "'*'")]
    [InlineData("line\nbreak", "'line\nbreak'")]
    public void ToDisplayString_quotes_each_argument_where_needed(string argument, string expected)
    {
        var command = new ToolCommand("tool", argument);

        Assert.Equal("tool " + expected, command.ToDisplayString());
    }

    [Fact]
    public void ToDisplayString_quotes_an_executable_path_with_spaces()
    {
        var command = new ToolCommand("/opt/my tools/run", "x", "y z");

        Assert.Equal("'/opt/my tools/run' x 'y z'", command.ToDisplayString());
    }

    [Fact]
    public void Arguments_passed_as_a_list_are_kept()
    {
        IReadOnlyList<string> arguments = ["a", "b c"];

        var command = new ToolCommand("tool", arguments);

        Assert.Same(arguments, command.Arguments);
        Assert.Equal("tool a 'b c'", command.ToDisplayString());
    }
}
