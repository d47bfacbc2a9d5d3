namespace MeshHook.Build.Engine.Tests;

public enum Flavor
{
    Vanilla,
    Chocolate,
}

public sealed class ParameterTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    class Parameters : NukeBuild
    {
        [Parameter("An API key")] public readonly string? ApiKey;
        [Parameter] public readonly bool Force;
        [Parameter] public readonly int Retries = 3;
        [Parameter] public readonly Flavor Flavor = Flavor.Vanilla;
        [Parameter] public readonly string[] Tags = [];
        [Parameter(Separator = ",")] public readonly string[]? Regions;
        [Parameter] public readonly AbsolutePath? Output;
        [Parameter] public string? Property { get; set; }
        [Parameter(Name = "Renamed")] public readonly string? Original;

        Target Show => _ => _.Executes(() => { });
    }

    [Fact]
    public void Command_line_name_forms_are_equivalent_and_the_last_one_wins()
    {
        Assert.Equal("a", _harness.Run<Parameters>("Show", "--api-key", "a").Build!.ApiKey);
        Assert.Equal("b", _harness.Run<Parameters>("Show", "-ApiKey", "b").Build!.ApiKey);
        Assert.Equal("c", _harness.Run<Parameters>("Show", "--apikey", "c").Build!.ApiKey);
        Assert.Equal("e", _harness.Run<Parameters>("Show", "--api-key", "d", "--ApiKey", "e").Build!.ApiKey);
    }

    [Fact]
    public void Values_convert_to_the_member_types()
    {
        var build = _harness.Run<Parameters>("Show", "--force", "--retries", "5", "--flavor", "chocolate", "--tags", "x", "y",
            "--regions", "eu,us", "--output", "out/dir", "--property", "p", "--renamed", "r").Build!;

        Assert.True(build.Force);
        Assert.Equal(5, build.Retries);
        Assert.Equal(Flavor.Chocolate, build.Flavor);
        Assert.Equal(["x", "y"], build.Tags);
        Assert.Equal(["eu", "us"], build.Regions!);
        Assert.Equal(Path.Combine(_harness.Root, "out", "dir"), (string)build.Output!);
        Assert.Equal("p", build.Property);
        Assert.Equal("r", build.Original);
        Assert.False(_harness.Run<Parameters>("Show", "--force", "false").Build!.Force);
    }

    [Fact]
    public void Defaults_stay_when_nothing_sets_a_parameter()
    {
        var build = _harness.Run<Parameters>("Show").Build!;

        Assert.Equal(3, build.Retries);
        Assert.Equal(Flavor.Vanilla, build.Flavor);
        Assert.Null(build.ApiKey);
    }

    [Fact]
    public void Environment_variables_match_by_exact_name_or_letters_and_digits_or_with_NUKE_prefix()
    {
        _harness.Environment["ApiKey"] = "exact";
        Assert.Equal("exact", _harness.Run<Parameters>("Show").Build!.ApiKey);
        _harness.Environment.Remove("ApiKey");

        _harness.Environment["API_KEY"] = "upper";
        Assert.Equal("upper", _harness.Run<Parameters>("Show").Build!.ApiKey);
        _harness.Environment.Remove("API_KEY");

        _harness.Environment["NUKE_API_KEY"] = "prefixed";
        Assert.Equal("prefixed", _harness.Run<Parameters>("Show").Build!.ApiKey);
    }

    class CommandLineOnly : NukeBuild
    {
        [Parameter(FromEnvironment = false)] public readonly bool List;
        Target Show => _ => _.Executes(() => { });
    }

    [Fact]
    public void A_parameter_can_refuse_environment_variables()
    {
        _harness.Environment["LIST"] = "true";

        Assert.False(_harness.Run<CommandLineOnly>("Show").Build!.List);
        Assert.True(_harness.Run<CommandLineOnly>("Show", "--list").Build!.List);
    }

    [Fact]
    public void Resolution_order_is_command_line_then_environment_then_profile_file_then_parameters_json()
    {
        _harness.WriteFile(".nuke/parameters.json", """{ "$schema": "./build.schema.json", "ApiKey": "file", "Retries": 7, "Flavor": "Chocolate" }""");
        _harness.WriteFile(".nuke/parameters.ci.json", """{ "ApiKey": "profile", "Retries": 8 }""");
        _harness.WriteFile(".nuke/parameters.later.json", """{ "Retries": 9 }""");

        Assert.Equal("file", _harness.Run<Parameters>("Show").Build!.ApiKey);
        Assert.Equal(7, _harness.Run<Parameters>("Show").Build!.Retries);
        var profiled = _harness.Run<Parameters>("Show", "--profile", "ci").Build!;
        Assert.Equal(("profile", 8, Flavor.Chocolate), (profiled.ApiKey, profiled.Retries, profiled.Flavor));
        Assert.Equal(9, _harness.Run<Parameters>("Show", "--profile", "ci", "later").Build!.Retries);

        _harness.Environment["API_KEY"] = "env";
        Assert.Equal("env", _harness.Run<Parameters>("Show", "--profile", "ci").Build!.ApiKey);
        Assert.Equal("cli", _harness.Run<Parameters>("Show", "--profile", "ci", "--api-key", "cli").Build!.ApiKey);
    }

    [Fact]
    public void An_unknown_profile_is_an_error_listing_the_available_ones()
    {
        _harness.WriteFile(".nuke/parameters.staging.json", "{}");

        var result = _harness.Run<Parameters>("Show", "--profile", "stagign");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Available profiles: staging", result.Output);
        Assert.Contains("Did you mean 'staging'?", result.Output);
    }

    [Fact]
    public void An_unknown_parameter_is_an_error_with_the_closest_match_and_nothing_runs()
    {
        var result = _harness.Run<Parameters>("Show", "--retires", "2");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Unknown parameter '--retires'. Did you mean '--retries'?", result.Output);
        Assert.Empty(result.Build!.ScheduledTargets);
    }

    [Fact]
    public void An_unknown_key_in_a_parameter_file_is_an_error_with_the_closest_match()
    {
        _harness.WriteFile(".nuke/parameters.json", """{ "Retires": 2 }""");

        var result = _harness.Run<Parameters>("Show");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("parameters.json: unknown parameter 'Retires'. Did you mean 'Retries'?", result.Output);
    }

    [Fact]
    public void An_invalid_enum_value_lists_the_allowed_values()
    {
        var result = _harness.Run<Parameters>("Show", "--flavor", "strawberry");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Invalid value 'strawberry' for parameter 'Flavor' (command line --flavor). Allowed values: Vanilla, Chocolate.", result.Output);
    }

    [Fact]
    public void An_invalid_number_says_what_is_expected()
    {
        var result = _harness.Run<Parameters>("Show", "--retries", "many");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("expected a whole number", result.Output);
    }

    [Fact]
    public void A_malformed_parameter_file_is_reported_with_file_line_and_column()
    {
        _harness.WriteFile(".nuke/parameters.json", "{\n  \"ApiKey\": \"x\",\n  \"Retries\": 3 3\n}\n");

        var result = _harness.Run<Parameters>("Show");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains(Path.Combine(_harness.NukeDirectory, "parameters.json") + ":3:", result.Output);
        Assert.Contains("malformed JSON", result.Output);
    }

    class RequiredParameters : NukeBuild
    {
        [Parameter("Where to publish"), Required] readonly string? FeedUrl;
        public bool Ran { get; private set; }
        Target Publish => _ => _.Executes(() => Ran = true);
    }

    [Fact]
    public void A_missing_required_parameter_names_the_three_ways_to_pass_it_and_nothing_runs()
    {
        var result = _harness.Run<RequiredParameters>("Publish");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Parameter 'FeedUrl' is required.", result.Output);
        Assert.Contains("--feed-url <value>", result.Output);
        Assert.Contains("FEED_URL (or NUKE_FEED_URL)", result.Output);
        Assert.Contains(".nuke/parameters.json as \"FeedUrl\"", result.Output);
        Assert.False(result.Build!.Ran);

        Assert.Equal(0, _harness.Run<RequiredParameters>("--help").ExitCode);
        Assert.True(_harness.Run<RequiredParameters>("Publish", "--feed-url", "https://example.test").Build!.Ran);
    }

    class Clash : NukeBuild
    {
        [Parameter] readonly string? Plan;
        Target Show => _ => _.Executes(() => { });
    }

    [Fact]
    public void A_parameter_named_like_a_built_in_option_is_an_error()
    {
        var result = _harness.Run<Clash>("Show");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Parameter names clash", result.Output);
    }

    [Fact]
    public void No_nuke_folder_is_a_clear_error_and_root_can_be_given()
    {
        var elsewhere = Directory.CreateTempSubdirectory("meshhook-noroot-").FullName;
        try
        {
            var result = _harness.Run<Parameters>(new RunOptions { CurrentDirectory = elsewhere }, "Show");
            Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
            Assert.Contains("No .nuke folder", result.Output);
            Assert.Contains("--root", result.Output);

            Assert.Equal(0, _harness.Run<Parameters>(new RunOptions { CurrentDirectory = elsewhere }, "Show", "--root", _harness.Root).ExitCode);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
