namespace MeshHook.Tooling.Tests;

/// <summary>
/// The keys of the encrypted secrets and parameters stay in the build: a program started through the runner (and
/// whatever it starts, npm lifecycle scripts included) does not inherit them unless the step asks for one.
/// </summary>
public sealed class ToolRunnerKeyVariableTests : IDisposable
{
    static readonly string[] Names = [.. ToolCommand.KeyVariables];
    readonly ToolRunner _runner = new(new SecretMasker());

    public ToolRunnerKeyVariableTests()
    {
        foreach (var name in Names)
            Environment.SetEnvironmentVariable(name, "key-material-of-" + name);
    }

    public void Dispose()
    {
        foreach (var name in Names)
            Environment.SetEnvironmentVariable(name, null);
    }

    static ToolCommand Env() => new("env") { Timeout = TimeSpan.FromSeconds(15) };

    async Task<IReadOnlyList<string>> ChildEnvironmentAsync(ToolCommand command) =>
        (await _runner.RunAsync(command, TestContext.Current.CancellationToken)).Output.Select(x => x.Text).ToList();

    [Fact]
    public void The_key_variables_are_those_of_the_secret_store_and_the_parameters()
    {
        Assert.Equal(["MESHHOOK_SECRETS_KEY", "MESHHOOK_SECRETS_KEY_FILE", "MESHHOOK_PARAMETERS_KEY", "MESHHOOK_PARAMETERS_KEY_FILE"], Names);
    }

    [Fact]
    public async Task A_child_program_does_not_inherit_the_keys()
    {
        var lines = await ChildEnvironmentAsync(Env());

        foreach (var name in Names)
            Assert.DoesNotContain(lines, x => x.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, x => x.Contains("key-material-of-", StringComparison.Ordinal));
        Assert.Contains(lines, x => x.StartsWith("PATH=", StringComparison.Ordinal)); // the rest is inherited
    }

    [Fact]
    public async Task A_grandchild_does_not_see_them_either()
    {
        // What an npm lifecycle script is: a shell started by the program the runner started.
        var result = await _runner.RunAsync(new ToolCommand("/bin/sh", "-c", "sh -c 'echo \"${MESHHOOK_SECRETS_KEY-absent} ${MESHHOOK_PARAMETERS_KEY-absent}\"'")
        {
            Timeout = TimeSpan.FromSeconds(15),
        }, TestContext.Current.CancellationToken);

        Assert.Equal("absent absent", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_step_that_needs_a_key_gets_only_that_one()
    {
        var lines = await ChildEnvironmentAsync(Env() with { PassKeyVariables = ["MESHHOOK_SECRETS_KEY"] });

        Assert.Contains("MESHHOOK_SECRETS_KEY=key-material-of-MESHHOOK_SECRETS_KEY", lines);
        Assert.DoesNotContain(lines, x => x.StartsWith("MESHHOOK_PARAMETERS_KEY=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, x => x.StartsWith("MESHHOOK_SECRETS_KEY_FILE=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_value_set_on_the_command_is_passed_as_given()
    {
        var lines = await ChildEnvironmentAsync(Env() with
        {
            Environment = new Dictionary<string, string?> { ["MESHHOOK_PARAMETERS_KEY"] = "explicit-test-key" },
        });

        Assert.Contains("MESHHOOK_PARAMETERS_KEY=explicit-test-key", lines);
    }

    [Fact]
    public void Commands_differing_only_in_the_keys_they_pass_are_not_equal()
    {
        Assert.NotEqual(Env(), Env() with { PassKeyVariables = ["MESHHOOK_SECRETS_KEY"] });
        Assert.Equal(Env() with { PassKeyVariables = ["MESHHOOK_SECRETS_KEY"] }, Env() with { PassKeyVariables = ["MESHHOOK_SECRETS_KEY"] });
    }
}
