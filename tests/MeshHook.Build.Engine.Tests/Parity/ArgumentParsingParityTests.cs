namespace MeshHook.Build.Engine.Tests.Parity;

/// <summary>
/// The scenarios of NUKE's argument and parameter tests (nuke-build/nuke, source/Nuke.Build.Tests: ParameterServiceTest,
/// the argument parser's tests, and the parameter-file/profile tests), ported to this engine. Reconstructed: NUKE's
/// source was not available when these were written; each test names the NUKE test it ports as recalled.
/// </summary>
public sealed class ArgumentParsingParityTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public enum Configuration
    {
        Debug,
        Release,
    }

    class Parameters : RecordingBuild
    {
        [Parameter] public readonly string? ApiKey;
        [Parameter] public readonly bool Force;
        [Parameter] public readonly bool? Maybe;
        [Parameter] public readonly int Retries = 3;
        [Parameter] public readonly Configuration Configuration = Configuration.Debug;
        [Parameter] public readonly string[] Tags = [];
        [Parameter] public readonly int[] Ports = [];
        [Parameter(Separator = ",")] public readonly string[] Regions = [];
        [Parameter(Separator = "+")] public readonly string[] Stages = [];

        Target Compile => _ => _.Executes(Record(nameof(Compile)));
        Target Test => _ => _.DependsOn(Compile).Executes(Record(nameof(Test)));
        Target BuildWorkers => _ => _.Executes(Record(nameof(BuildWorkers)));
    }

    Parameters Build(params string[] args)
    {
        var result = _harness.Run<Parameters>(["Compile", .. args]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Build!;
    }

    // Ports ParameterServiceTest.TestCommandLineArguments (names): --param, -Param, any casing, dashes removed.
    [Theory]
    [InlineData("--api-key")]
    [InlineData("-ApiKey")]
    [InlineData("--apikey")]
    [InlineData("--API-KEY")]
    [InlineData("-api-key")]
    [InlineData("--Api_Key")]
    public void An_option_name_matches_ignoring_case_dashes_and_underscores(string spelling)
    {
        Assert.Equal("value", Build(spelling, "value").ApiKey);
    }

    // Ports ParameterServiceTest (last wins): an option given twice takes its last value.
    [Fact]
    public void The_last_occurrence_of_an_option_wins()
    {
        Assert.Equal("second", Build("--api-key", "first", "-ApiKey", "second").ApiKey);
    }

    // Ports ParameterServiceTest.TestCommandLineArguments (bool): a bare flag is true; an explicit true/false (any
    // casing) is taken as the value; a nullable bool behaves the same and stays null when not given.
    [Fact]
    public void Bool_parameters_are_flags_or_take_true_or_false()
    {
        Assert.True(Build("--force").Force);
        Assert.True(Build("--force", "true").Force);
        Assert.False(Build("--force", "false").Force);
        Assert.False(Build("--force", "False").Force);
        Assert.True(Build("--maybe").Maybe);
        Assert.False(Build("--maybe", "FALSE").Maybe);
        Assert.Null(Build().Maybe);
    }

    // Ports ParameterServiceTest (bool followed by a target): a word after a flag that is not true/false is a target.
    [Fact]
    public void A_word_after_a_flag_that_is_not_a_bool_is_a_target()
    {
        var result = _harness.Run<Parameters>("--force", "Test", "--max-parallel", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Build!.Force);
        Assert.Equal(["Compile", "Test"], result.Build.RanList);
    }

    // Ports ParameterServiceTest.TestCommandLineArguments (numbers, enums): values convert to the member's type; a
    // negative number is a value, not an option; enum names match ignoring case.
    [Fact]
    public void Numbers_and_enums_convert_with_negative_numbers_as_values_and_enums_ignoring_case()
    {
        Assert.Equal(-1, Build("--retries", "-1").Retries);
        Assert.Equal(Configuration.Release, Build("--configuration", "release").Configuration);
        Assert.Equal(Configuration.Release, Build("--configuration", "RELEASE").Configuration);
        Assert.Equal(3, Build().Retries);
    }

    // Ports ParameterServiceTest.TestCommandLineArguments (arrays): several words, and each word split on the
    // parameter's separator.
    [Fact]
    public void Array_parameters_take_several_words_and_split_each_on_their_separator()
    {
        Assert.Equal(["a", "b", "c"], Build("--tags", "a", "b", "c").Tags);
        Assert.Equal([80, 443], Build("--ports", "80", "443").Ports);
        Assert.Equal(["eu", "us", "ap"], Build("--regions", "eu,us", "ap").Regions);
        Assert.Equal(["dev", "staging"], Build("--stages", "dev+staging").Stages);
    }

    // Ports ParameterServiceTest.TestEnvironmentVariables (arrays): an environment variable holds one string, so a list
    // parameter's value is split on its separator, else on whitespace. Differed here before: `PORTS="80 443"` was one
    // value and failed as "not a whole number"; `TAGS="a b"` was a single tag.
    [Fact]
    public void Array_parameters_from_environment_variables_split_on_the_separator_or_whitespace()
    {
        _harness.Environment["TAGS"] = "a  b\tc";
        _harness.Environment["PORTS"] = "80 443";
        _harness.Environment["REGIONS"] = "eu, us";
        _harness.Environment["STAGES"] = "dev+staging";

        var build = Build();

        Assert.Equal(["a", "b", "c"], build.Tags);
        Assert.Equal([80, 443], build.Ports);
        Assert.Equal(["eu", "us"], build.Regions);
        Assert.Equal(["dev", "staging"], build.Stages);
    }

    // Ports ParameterServiceTest.TestEnvironmentVariables (names): the exact name, or the same letters and digits in any
    // casing with or without underscores, or the same with a NUKE_ prefix.
    [Theory]
    [InlineData("ApiKey")]
    [InlineData("API_KEY")]
    [InlineData("api_key")]
    [InlineData("APIKEY")]
    [InlineData("Api_Key")]
    [InlineData("NUKE_API_KEY")]
    [InlineData("nuke_apikey")]
    public void Environment_variables_match_ignoring_case_and_underscores_with_or_without_NUKE_prefix(string variable)
    {
        _harness.Environment[variable] = "from-env";

        Assert.Equal("from-env", Build().ApiKey);
    }

    // Ports ParameterServiceTest.TestEnvironmentVariables (prefix): the name without NUKE_ wins over the prefixed one,
    // whatever the casing. Differed here before: names were taken in ordinal order, so NUKE_API_KEY beat apikey.
    [Fact]
    public void The_unprefixed_environment_variable_wins_over_the_NUKE_prefixed_one()
    {
        _harness.Environment["NUKE_API_KEY"] = "prefixed";
        _harness.Environment["apikey"] = "plain";

        Assert.Equal("plain", Build().ApiKey);
    }

    // Ports ParameterServiceTest.TestEnvironmentVariables (bool): FORCE=false is false, FORCE=true is true.
    [Fact]
    public void Bool_parameters_from_environment_variables()
    {
        _harness.Environment["FORCE"] = "false";
        Assert.False(Build().Force);
        _harness.Environment["FORCE"] = "True";
        Assert.True(Build().Force);
    }

    // Ports ParameterServiceTest (precedence): command line over environment over parameter files.
    [Fact]
    public void Command_line_beats_environment_beats_parameter_files()
    {
        _harness.WriteFile(".nuke/parameters.json", """{ "ApiKey": "file", "Force": true, "Retries": 5 }""");
        Assert.Equal(("file", true, 5), (Build().ApiKey, Build().Force, Build().Retries));

        _harness.Environment["API_KEY"] = "env";
        _harness.Environment["FORCE"] = "false";
        Assert.Equal(("env", false), (Build().ApiKey, Build().Force));
        Assert.Equal(("cli", true), (Build("--api-key", "cli", "--force").ApiKey, Build("--api-key", "cli", "--force").Force));
    }

    // Ports the parameter-file tests (profiles): --profile a b loads parameters.a.json then parameters.b.json over
    // parameters.json, later over earlier; arrays are JSON arrays; keys match like option names.
    [Fact]
    public void Profiles_load_over_parameters_json_later_over_earlier()
    {
        _harness.WriteFile(".nuke/parameters.json", """{ "$schema": "./build.schema.json", "api-key": "base", "Tags": ["x", "y"], "Retries": 1 }""");
        _harness.WriteFile(".nuke/parameters.ci.json", """{ "ApiKey": "ci", "Retries": 2 }""");
        _harness.WriteFile(".nuke/parameters.release.json", """{ "RETRIES": 4, "Configuration": "release" }""");

        var base_ = Build();
        Assert.Equal(("base", 1), (base_.ApiKey, base_.Retries));
        Assert.Equal(["x", "y"], base_.Tags);
        var both = Build("--profile", "ci", "release");
        Assert.Equal(("ci", 4, Configuration.Release), (both.ApiKey, both.Retries, both.Configuration));
        Assert.Equal(2, Build("--profile", "release", "ci").Retries);
    }

    // Ports the argument parser's target tests: positional targets, --target with several words, '+' joins, names
    // ignoring case and dashes.
    [Theory]
    [InlineData("Compile", "BuildWorkers")]
    [InlineData("compile+build-workers")]
    [InlineData("--target", "Compile", "BuildWorkers")]
    [InlineData("--target", "COMPILE+buildworkers")]
    [InlineData("-Target", "compile", "BUILD_WORKERS")]
    public void Targets_are_positional_or_given_with_target_joined_by_plus_ignoring_case_and_dashes(params string[] args)
    {
        var result = _harness.Run<Parameters>([.. args, "--max-parallel", "1"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Compile", "BuildWorkers"], result.Build!.RanList);
    }

    // NUKE ignores command-line options that name no parameter; ours refuses them (a typo must not silently drop a value).
    [Fact]
    public void An_unknown_option_is_an_error_not_ignored()
    {
        var result = _harness.Run<Parameters>("Compile", "--api-kye", "x");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Unknown parameter '--api-kye'. Did you mean '--api-key'?", result.Output);
        Assert.Empty(result.Build!.Ran);
    }
}
