using MeshHook.Build.Engine.Parameters;
using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Tests;

public sealed class SecretTests : IDisposable
{
    const string Canary = "canary-Secret-Value-8d1f2e";
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    class WithSecret : NukeBuild
    {
        [Parameter("Token for the feed"), Secret] public readonly string? FeedToken;
        [Parameter] public readonly string? Plain;

        Target Publish => _ => _.Executes(() => Log.Information($"using token {FeedToken}"));
    }

    [Fact]
    public void Set_secret_stores_the_value_encrypted_and_the_build_reads_it_back()
    {
        var set = _harness.Run<WithSecret>(new RunOptions { Input = Canary + "\n" }, "--set-secret", "FeedToken", "--profile", "production");
        Assert.Equal(0, set.ExitCode);
        Assert.DoesNotContain(Canary, set.Output);
        Assert.Contains("Created a new key", set.Output);

        var stored = File.ReadAllText(Path.Combine(_harness.NukeDirectory, "parameters.production.json"));
        Assert.DoesNotContain(Canary, stored);
        Assert.Contains("\"FeedToken\": \"" + SecretCipher.Prefix, stored);
        Assert.Contains("\"$schema\": \"./build.schema.json\"", stored);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_harness.KeyFile));

        var run = _harness.Run<WithSecret>("Publish", "--profile", "production");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Canary, run.Build!.FeedToken);
        Assert.DoesNotContain(Canary, run.Output);
        Assert.Contains("using token ***", run.Output);
    }

    [Fact]
    public void Setting_a_second_secret_keeps_the_other_keys_of_the_file()
    {
        _harness.WriteFile(".nuke/parameters.json", """{ "$schema": "./build.schema.json", "Plain": "kept" }""");

        _harness.Run<WithSecret>(new RunOptions { Input = Canary }, "--set-secret", "FeedToken");

        var build = _harness.Run<WithSecret>("Publish").Build!;
        Assert.Equal("kept", build.Plain);
        Assert.Equal(Canary, build.FeedToken);
    }

    [Fact]
    public void A_wrong_key_is_a_clear_error_never_garbage()
    {
        _harness.Run<WithSecret>(new RunOptions { Input = Canary }, "--set-secret", "FeedToken");
        _harness.Environment["MESHHOOK_PARAMETERS_KEY"] = "not-the-key-it-was-encrypted-with";

        var result = _harness.Run<WithSecret>("Publish");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Cannot decrypt secret parameter 'FeedToken'", result.Output);
        Assert.Contains("MESHHOOK_PARAMETERS_KEY", result.Output);
        Assert.Null(result.Build!.FeedToken);
    }

    [Fact]
    public void Set_secret_refuses_unknown_or_non_secret_names_and_empty_values()
    {
        var unknown = _harness.Run<WithSecret>(new RunOptions { Input = "x" }, "--set-secret", "FeedTokn");
        Assert.Equal(BuildRunner.InvalidInvocation, unknown.ExitCode);
        Assert.Contains("Did you mean 'FeedToken'?", unknown.Output);

        var plain = _harness.Run<WithSecret>(new RunOptions { Input = "x" }, "--set-secret", "Plain");
        Assert.Contains("'Plain' is not a secret parameter", plain.Output);

        var empty = _harness.Run<WithSecret>(new RunOptions { Input = "" }, "--set-secret", "FeedToken");
        Assert.Contains("nothing was stored", empty.Output);
        Assert.False(File.Exists(Path.Combine(_harness.NukeDirectory, "parameters.json")));
    }

    [Fact]
    public void A_key_file_inside_the_repository_is_refused()
    {
        _harness.Environment["MESHHOOK_PARAMETERS_KEY_FILE"] = Path.Combine(_harness.Root, "parameters.key");

        var result = _harness.Run<WithSecret>(new RunOptions { Input = Canary }, "--set-secret", "FeedToken");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("is inside the repository", result.Output);
    }

    [Fact]
    public void Secrets_from_the_command_line_are_masked_in_the_log()
    {
        var result = _harness.Run<WithSecret>("Publish", "--feed-token", Canary);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(Canary, result.Output);
    }

    [Fact]
    public void A_plain_text_secret_in_a_file_works_with_a_warning()
    {
        _harness.WriteFile(".nuke/parameters.json", "{ \"FeedToken\": \"" + Canary + "\" }");

        var result = _harness.Run<WithSecret>("Publish");

        Assert.Equal(Canary, result.Build!.FeedToken);
        Assert.Contains("stored in plain text", result.Output);
        Assert.DoesNotContain(Canary, result.Output);
    }

    [Fact]
    public void Encryption_uses_a_fresh_salt_and_nonce_and_binds_the_parameter_name()
    {
        var context = ParameterResolver.SecretContext("FeedToken");
        var first = SecretCipher.Encrypt("value", "password", context);
        var second = SecretCipher.Encrypt("value", "password", context);

        Assert.NotEqual(first, second);
        Assert.Equal("value", SecretCipher.Decrypt(first, "password", context));
        Assert.Equal("value", SecretCipher.Decrypt(first, "password", ParameterResolver.SecretContext("feed-token")));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => SecretCipher.Decrypt(first, "password", ParameterResolver.SecretContext("OtherToken")));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => SecretCipher.Decrypt(first, "wrong", context));
        var tampered = first[..^4] + (first[^4] == 'A' ? "B" : "A") + first[^3..];
        Assert.ThrowsAny<Exception>(() => SecretCipher.Decrypt(tampered, "password", context));
    }
}
