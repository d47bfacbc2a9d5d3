using System.Text;

namespace MeshHook.Build.Engine.Tests;

/// <summary>
/// The key of the secret parameters is masked wherever the build uses it, and a secret parameter too short to mask
/// (1-2 characters) is refused, naming the parameter, instead of being printed in clear.
/// </summary>
public sealed class SecretParameterMaskingTests : IDisposable
{
    const string Value = "feed-token-value-3c9d";
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>What the target prints: set by the test (the harness runs the build in-process).</summary>
    static volatile string? _printed;

    class PrintsText : NukeBuild
    {
        [Parameter("Token for the feed"), Secret] public readonly string? FeedToken;

        Target Publish => _ => _.Executes(() =>
        {
            var text = _printed ?? "";
            Log.Information($"raw [{text}] base64 [{Base64(text)}] " +
                            $"json [{System.Text.Json.JsonSerializer.Serialize(text)}] token [{FeedToken}]");
        });
    }

    static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void The_key_from_MESHHOOK_PARAMETERS_KEY_is_masked_in_the_log()
    {
        const string key = "param key & 'q' \"d\" +<t>\\ ä";
        _harness.Environment["MESHHOOK_PARAMETERS_KEY"] = key;
        Assert.Equal(0, _harness.Run<PrintsText>(new RunOptions { Input = Value }, "--set-secret", "FeedToken").ExitCode);
        _printed = key;

        var run = _harness.Run<PrintsText>("Publish");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Value, run.Build!.FeedToken);
        Assert.Contains("raw [***] base64 [***", run.Output);
        Assert.Contains("json [\"***\"] token [***]", run.Output);
        Assert.DoesNotContain("param key", run.Output);
        Assert.DoesNotContain(Base64(key)[..^4], run.Output);
    }

    [Fact]
    public void The_key_file_contents_are_masked_in_the_log()
    {
        Assert.Equal(0, _harness.Run<PrintsText>(new RunOptions { Input = Value }, "--set-secret", "FeedToken").ExitCode);
        var key = File.ReadAllText(_harness.KeyFile).Trim();
        _printed = key;

        var run = _harness.Run<PrintsText>("Publish");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("raw [***] base64 [***", run.Output);
        Assert.Contains("json [\"***\"]", run.Output);
        Assert.DoesNotContain(key, run.Output);
        Assert.DoesNotContain(Base64(key)[..^4], run.Output);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData(" ab ")]
    public void A_secret_parameter_too_short_to_mask_is_refused_naming_the_parameter(string value)
    {
        _printed = null;
        var fromCommandLine = _harness.Run<PrintsText>("Publish", "--feed-token", value);
        _harness.Environment["FEED_TOKEN"] = value;
        var fromEnvironment = _harness.Run<PrintsText>("Publish");
        _harness.Environment.Remove("FEED_TOKEN");
        var stored = _harness.Run<PrintsText>(new RunOptions { Input = value }, "--set-secret", "FeedToken");

        foreach (var result in new[] { fromCommandLine, fromEnvironment, stored })
        {
            Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
            Assert.Contains("Secret parameter 'FeedToken'", result.Output);
            Assert.Contains("shorter than 3 characters", result.Output);
        }
        Assert.DoesNotContain("token [", fromCommandLine.Output);
        Assert.Contains("nothing was stored", stored.Output);
        Assert.False(File.Exists(Path.Combine(_harness.NukeDirectory, "parameters.json")));
    }
}
