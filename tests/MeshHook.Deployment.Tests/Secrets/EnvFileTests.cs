using System.Diagnostics;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Tests.Environments;

namespace MeshHook.Deployment.Tests.Secrets;

public sealed class EnvFileTests : IDisposable
{
    readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    static readonly Dictionary<string, string> Tricky = new()
    {
        ["PLAIN"] = "value",
        ["EMPTY"] = "",
        ["SPACES"] = "  leading and trailing  ",
        ["QUOTES"] = "it's \"quoted\" 'twice'",
        ["SHELL"] = "$HOME `id` $(id) \\n \\ ; & | > < * ? ~ # !",
        ["UNICODE"] = "café ☕",
        ["URL"] = "postgres://user:p@ss'w\"rd@127.0.0.1:5432/meshhook?sslmode=disable",
    };

    [Fact]
    public void Values_are_quoted_so_a_shell_and_the_parser_read_back_exactly_what_was_written()
    {
        var path = _scratch.Combine("shared", "app.env");

        EnvFile.Write(path, Tricky);

        Assert.Equal(Tricky, EnvFile.Read(path));
        Assert.Contains("QUOTES='it'\\''s \"quoted\" '\\''twice'\\'''", File.ReadAllText(path));
        foreach (var (key, value) in Tricky)
            Assert.Equal(value, Shell($"set -a; . '{path}'; printf '%s' \"${key}\""));
    }

    [Fact]
    public void The_file_is_0600_replaced_atomically_and_leaves_no_temporary_file()
    {
        var path = _scratch.Write("shared/app.env", "OLD='1'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        EnvFile.Write(path, new Dictionary<string, string> { ["NEW"] = "2" });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(new Dictionary<string, string> { ["NEW"] = "2" }, EnvFile.Read(path));
        Assert.Equal(["app.env"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_missing_folder_is_created_0700()
    {
        var path = _scratch.Combine("new", "shared", "app.env");

        EnvFile.Write(path, new Dictionary<string, string> { ["A"] = "1" });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_scratch.Combine("new", "shared")));
    }

    [Theory]
    [InlineData("lower", "x", "'lower' is not a valid name; allowed: upper-case letters, digits and '_', not starting with a digit (e.g. LOWER)")]
    [InlineData("1ST", "x", "'1ST' is not a valid name")]
    [InlineData("WITH-DASH", "x", "'WITH-DASH' is not a valid name")]
    [InlineData("WITH SPACE", "x", "'WITH SPACE' is not a valid name")]
    [InlineData("NEWLINE\n", "x", "is not a valid name")]
    [InlineData("MULTI_LINE", "secret\nline", "the value of MULTI_LINE contains a line break")]
    [InlineData("CARRIAGE", "secret\rline", "the value of CARRIAGE contains a line break")]
    [InlineData("NUL", "secret\0value", "the value of NUL contains a NUL character")]
    public void Invalid_keys_and_values_are_refused_and_nothing_is_written(string key, string value, string problem)
    {
        var path = _scratch.Write("app.env", "KEPT='as it was'\n");

        var error = Assert.Throws<EnvFileException>(() => EnvFile.Write(path, new Dictionary<string, string> { ["GOOD"] = "fine", [key] = value }));

        Assert.Contains(problem, error.Message);
        Assert.EndsWith("Nothing was written.", error.Message);
        if (value.StartsWith("secret", StringComparison.Ordinal))
            Assert.DoesNotContain(value, error.Message);
        Assert.Equal("KEPT='as it was'\n", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_scratch.Path));
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        var error = Assert.Throws<EnvFileException>(() => EnvFile.Format([new("A", "1"), new("A", "2")]));

        Assert.Equal("An env file cannot hold these values: A is given 2 times. Nothing was written.", error.Message);
    }

    static string Shell(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(10_000), "sh did not finish");
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
