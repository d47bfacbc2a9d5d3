using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Secrets;

public sealed class SecretsCommandTests : IDisposable
{
    const string Value = "whsec_from_standard_input_42";

    readonly Scratch _repository = new();
    readonly Scratch _home = new();
    readonly SecretMasker _masker = new();
    readonly List<string> _output = [];
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero));

    public SecretsCommandTests() => Samples.WriteRepository(_repository.Path, EnvironmentName.Local, Samples.Local);

    public void Dispose()
    {
        _repository.Dispose();
        _home.Dispose();
    }

    SecretsCommand Command(Dictionary<string, string>? variables = null) =>
        new(_repository.Path, variables ?? new Dictionary<string, string> { ["HOME"] = _home.Path }, _masker, _output.Add, _time);

    string AllOutput => string.Join("\n", _output);

    [Fact]
    public void Set_reads_the_value_stores_it_encrypted_and_never_prints_it()
    {
        string? asked = null;

        Command().Run(EnvironmentName.Local, "DEFAULT_WEBHOOK_SECRET", false, null, name =>
        {
            asked = name;
            return Value;
        });

        Assert.Equal("DEFAULT_WEBHOOK_SECRET", asked);
        Assert.Equal(
        [
            $"Created a new key at {_home.Combine(".config", "meshhook", "secrets.key")} (mode 0600). Keep it safe: without it the stored secrets cannot be read.",
            $"Stored DEFAULT_WEBHOOK_SECRET for local in .deploy/local/secrets.json (AES-256-GCM, key from the key file {_home.Combine(".config", "meshhook", "secrets.key")}).",
        ], _output);
        Assert.Equal(Value, SecretStore.Open(_repository.Path, EnvironmentName.Local, new Dictionary<string, string> { ["HOME"] = _home.Path }, new SecretMasker()).Get("DEFAULT_WEBHOOK_SECRET"));
        Assert.Equal("***", _masker.Apply(Value));
    }

    [Fact]
    public void List_shows_names_and_dates_and_what_is_missing_never_values()
    {
        Command().Run(EnvironmentName.Local, null, true, null, _ => throw new InvalidOperationException("--list reads no value"));
        Assert.Equal(
        [
            "No secrets stored for local (.deploy/local/secrets.json does not exist yet).",
            "Not set but referenced by infra/environments/local/environment.json: DEFAULT_WEBHOOK_SECRET. Set each with: ./build.sh Secrets --environment local --set NAME",
        ], _output);

        Command().Run(EnvironmentName.Local, "DEFAULT_WEBHOOK_SECRET", false, null, _ => Value);
        Command().Run(EnvironmentName.Local, "UNUSED_TOKEN", false, null, _ => "unused-token-value");
        _output.Clear();
        Command().Run(EnvironmentName.Local, null, true, null, _ => throw new InvalidOperationException());

        Assert.Equal(
        [
            "Secrets of local in .deploy/local/secrets.json (values are never shown):",
            "NAME                    LAST SET (UTC)",
            "DEFAULT_WEBHOOK_SECRET  2026-11-30 06:45:12",
            "UNUSED_TOKEN            2026-11-30 06:45:12",
            "Stored but not referenced by infra/environments/local/environment.json: UNUSED_TOKEN.",
        ], _output);
        Assert.DoesNotContain(Value, AllOutput);
        Assert.DoesNotContain("unused-token-value", AllOutput);
    }

    [Fact]
    public void Set_warns_about_a_name_the_environment_does_not_use()
    {
        Command().Run(EnvironmentName.Local, "DEFAULT_WEBHOK_SECRET", false, null, _ => Value);

        Assert.Equal("Note: infra/environments/local/environment.json does not refer to DEFAULT_WEBHOK_SECRET (it refers to: DEFAULT_WEBHOOK_SECRET). " +
                     "Did you mean 'DEFAULT_WEBHOOK_SECRET'?", _output[0]);
    }

    [Fact]
    public void Remove_deletes_it_and_says_what_still_needs_it()
    {
        Command().Run(EnvironmentName.Local, "DEFAULT_WEBHOOK_SECRET", false, null, _ => Value);
        _output.Clear();

        Command().Run(EnvironmentName.Local, null, false, "DEFAULT_WEBHOOK_SECRET", _ => throw new InvalidOperationException());

        Assert.Equal(
        [
            "Removed DEFAULT_WEBHOOK_SECRET from .deploy/local/secrets.json.",
            "Note: infra/environments/local/environment.json still refers to DEFAULT_WEBHOOK_SECRET: deploying local fails until it is set again.",
        ], _output);
        var error = Assert.Throws<SecretException>(() => Command().Run(EnvironmentName.Local, null, false, "DEFAULT_WEBHOOK_SECRET", _ => ""));
        Assert.Equal("DEFAULT_WEBHOOK_SECRET is not stored for local in .deploy/local/secrets.json (stored: none).", error.Message);
    }

    [Theory]
    [InlineData(null, false, null, "Secrets needs one action: --set NAME (the value is read from standard input), --list, or --remove NAME.")]
    [InlineData("A_SECRET", true, null, "Secrets does one action at a time, got --set and --list: give exactly one of --set NAME (the value is read from standard input), --list, or --remove NAME.")]
    [InlineData("A_SECRET", true, "B_SECRET", "Secrets does one action at a time, got --set and --list and --remove: give exactly one of --set NAME (the value is read from standard input), --list, or --remove NAME.")]
    public void Exactly_one_action_is_required(string? set, bool list, string? remove, string message)
    {
        var error = Assert.Throws<SecretException>(() => Command().Run(EnvironmentName.Local, set, list, remove, _ => Value));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_empty_value_stores_nothing()
    {
        var error = Assert.Throws<SecretException>(() => Command().Run(EnvironmentName.Local, "DEFAULT_WEBHOOK_SECRET", false, null, _ => ""));

        Assert.Equal("No value for DEFAULT_WEBHOOK_SECRET was given on standard input; nothing was stored.", error.Message);
        Assert.False(File.Exists(_repository.Combine(".deploy", "local", "secrets.json")));
    }

    [Fact]
    public void Env_environments_say_where_to_set_secrets_instead()
    {
        Samples.WriteRepository(_repository.Path, EnvironmentName.Dev, Samples.Change(Samples.Dev, x => x["secrets"] = new JsonObject { ["provider"] = "env", ["prefix"] = "MESHHOOK_DEV_" }));
        var env = Assert.Throws<SecretException>(() => Command().Run(EnvironmentName.Dev, "DATABASE_URL", false, null, _ => Value));
        Assert.Equal("dev's secrets come from environment variables (secrets.provider is env in infra/environments/dev/environment.json); nothing is stored by " +
                     "./build.sh Secrets. Set the environment variable MESHHOOK_DEV_DATABASE_URL where the deployment runs (e.g. a GitHub environment secret " +
                     "mapped into the job's env).", env.Message);

        Command(new Dictionary<string, string> { ["MESHHOOK_DEV_DATABASE_URL"] = "postgres://x:y@z/w" }).Run(EnvironmentName.Dev, null, true, null, _ => "");
        Assert.Equal(
        [
            "Secrets of dev come from environment variables (MESHHOOK_DEV_NAME) (values are never shown):",
            "DATABASE_URL: MESHHOOK_DEV_DATABASE_URL is set",
            "DEFAULT_WEBHOOK_SECRET: MESHHOOK_DEV_DEFAULT_WEBHOOK_SECRET is NOT set",
        ], _output);
    }

    [Fact]
    public void An_invalid_environment_file_stops_the_command_before_anything_is_read()
    {
        Samples.WriteRepository(_repository.Path, EnvironmentName.Local, "{ \"target\": { \"kind\": \"local\" }, ");

        var error = Assert.Throws<EnvironmentConfigurationException>(() => Command().Run(EnvironmentName.Local, "DEFAULT_WEBHOOK_SECRET", false, null,
            _ => throw new InvalidOperationException("no value may be asked for")));

        Assert.StartsWith("infra/environments/local/environment.json:1:", error.Message);
    }
}
