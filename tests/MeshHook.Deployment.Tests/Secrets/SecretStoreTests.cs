using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Secrets;

public sealed class SecretStoreTests : IDisposable
{
    const string Value = "whsec_9f8e7d6c5b4a3f2e1d0c";

    readonly Scratch _repository = new();
    readonly Scratch _home = new();
    readonly SecretMasker _masker = new();
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 6, 45, 12, 345, TimeSpan.Zero));

    public void Dispose()
    {
        _repository.Dispose();
        _home.Dispose();
    }

    Dictionary<string, string> Variables(string? keyFile = null) => new()
    {
        ["HOME"] = _home.Path,
        [SecretStore.KeyFileVariable] = keyFile ?? _home.Combine("keys", "secrets.key"),
    };

    SecretStore Store(Dictionary<string, string>? variables = null, EnvironmentName environment = default) =>
        SecretStore.Open(_repository.Path, environment, variables ?? Variables(), _masker, _time);

    [Fact]
    public async Task Set_get_list_and_remove_round_trip()
    {
        var store = Store();
        Assert.True(store.EnsureKey());
        Assert.False(store.EnsureKey());

        var stored = store.Set("DEFAULT_WEBHOOK_SECRET", Value);
        _time.Advance(TimeSpan.FromHours(1));
        store.Set("SUPABASE_SERVICE_ROLE_KEY", "service-role-key-value");

        Assert.Equal(new StoredSecret("DEFAULT_WEBHOOK_SECRET", new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero)), stored);
        Assert.Equal(Value, Store().Get("DEFAULT_WEBHOOK_SECRET"));
        Assert.Equal(Value, await Store().GetAsync("DEFAULT_WEBHOOK_SECRET", TestContext.Current.CancellationToken));
        Assert.Equal(
        [
            new StoredSecret("DEFAULT_WEBHOOK_SECRET", new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero)),
            new StoredSecret("SUPABASE_SERVICE_ROLE_KEY", new DateTimeOffset(2026, 11, 30, 7, 45, 12, TimeSpan.Zero)),
        ], Store().List());

        Assert.True(store.Remove("SUPABASE_SERVICE_ROLE_KEY"));
        Assert.False(store.Remove("SUPABASE_SERVICE_ROLE_KEY"));
        Assert.Equal(["DEFAULT_WEBHOOK_SECRET"], Store().List().Select(x => x.Name));
    }

    [Fact]
    public void The_store_is_0600_in_a_0700_folder_and_holds_no_value_in_plain_text()
    {
        Store().Set("DEFAULT_WEBHOOK_SECRET", Value);

        var file = _repository.Combine(".deploy", "local", "secrets.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        var text = File.ReadAllText(file);
        Assert.DoesNotContain(Value, text);
        Assert.Contains("\"value\": \"aesgcm:v1:", text);
        Assert.Contains("\"updatedAt\": \"2026-11-30T06:45:12Z\"", text);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp"));

        // The key file made on first use is private too, and outside the repository.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_home.Combine("keys", "secrets.key")));
    }

    [Fact]
    public void A_wrong_key_is_a_clear_error_never_garbage()
    {
        Store().Set("DEFAULT_WEBHOOK_SECRET", Value);
        var otherKey = _home.Write("other.key", "not-the-key-it-was-stored-with");

        var error = Assert.Throws<SecretException>(() => Store(Variables(otherKey)).Get("DEFAULT_WEBHOOK_SECRET"));

        Assert.Equal(
            $"Cannot decrypt DEFAULT_WEBHOOK_SECRET in .deploy/local/secrets.json with the key from the key file {otherKey}: it is not the key the value " +
            "was stored with (or the file was altered). Use the original key (MESHHOOK_SECRETS_KEY, or MESHHOOK_SECRETS_KEY_FILE pointing at its file), " +
            "or set the value again: ./build.sh Secrets --environment local --set DEFAULT_WEBHOOK_SECRET.", error.Message);

        var mixing = Assert.Throws<SecretException>(() => Store(Variables(otherKey)).Set("ANOTHER_SECRET", "another-value"));
        Assert.StartsWith(".deploy/local/secrets.json holds values stored with another key than the one from the key file", mixing.Message);
        Assert.Equal(["DEFAULT_WEBHOOK_SECRET"], Store().List().Select(x => x.Name));
    }

    [Fact]
    public void A_value_is_bound_to_its_name_and_environment()
    {
        Store().Set("DEFAULT_WEBHOOK_SECRET", Value);
        var file = _repository.Combine(".deploy", "local", "secrets.json");
        // Copy the encrypted value under another name, and the whole store to another environment.
        File.WriteAllText(file, File.ReadAllText(file).Replace("DEFAULT_WEBHOOK_SECRET", "OTHER_NAME"));
        Assert.Throws<SecretException>(() => Store().Get("OTHER_NAME"));

        Directory.CreateDirectory(_repository.Combine(".deploy", "dev"));
        File.Copy(file, _repository.Combine(".deploy", "dev", "secrets.json"));
        Assert.Throws<SecretException>(() => Store(environment: EnvironmentName.Dev).Get("OTHER_NAME"));
    }

    [Fact]
    public void A_missing_secret_is_named_with_the_command_that_sets_it()
    {
        var error = Assert.Throws<SecretException>(() => Store().Get("DEFAULT_WEBHOOK_SECRET"));

        Assert.Equal("Secret DEFAULT_WEBHOOK_SECRET of local is not set (.deploy/local/secrets.json has no DEFAULT_WEBHOOK_SECRET). Set it with: " +
                     "./build.sh Secrets --environment local --set DEFAULT_WEBHOOK_SECRET (the value is read from standard input).", error.Message);
    }

    [Fact]
    public void Values_are_registered_with_the_masker_when_set_and_when_read()
    {
        Store().Set("DEFAULT_WEBHOOK_SECRET", Value);
        Assert.Equal("signature ***", _masker.Apply("signature " + Value));

        var reader = new SecretMasker();
        SecretStore.Open(_repository.Path, EnvironmentName.Local, Variables(), reader, _time).Get("DEFAULT_WEBHOOK_SECRET");
        // The value, and the key it was decrypted with (registered too: see KeyAndSecretMaskingTests).
        Assert.Equal(2, reader.Secrets.Count);
        Assert.Contains(Value, reader.Secrets);
    }

    [Fact]
    public void Values_that_could_not_be_masked_or_named_are_refused()
    {
        Assert.Contains("shorter than 3 characters", Assert.Throws<SecretException>(() => Store().Set("SHORT", "ab")).Message);
        Assert.Equal("No value for EMPTY; nothing was stored.", Assert.Throws<SecretException>(() => Store().Set("EMPTY", "")).Message);
        Assert.Equal("Secret names are environment variable names: 'webhook-secret' is not a valid name; allowed: upper-case letters, digits and '_', " +
                     "not starting with a digit (e.g. WEBHOOK_SECRET).", Assert.Throws<SecretException>(() => Store().Set("webhook-secret", Value)).Message);
        Assert.False(File.Exists(_repository.Combine(".deploy", "local", "secrets.json")));
    }

    [Fact]
    public void A_key_file_inside_the_repository_is_refused()
    {
        var error = Assert.Throws<UserFacingException>(() => Store(Variables(_repository.Combine("secrets.key"))).Set("DEFAULT_WEBHOOK_SECRET", Value));

        Assert.Contains("is inside the repository", error.Message);
    }

    [Fact]
    public void A_damaged_store_file_is_reported_not_overwritten()
    {
        var file = _repository.Write(".deploy/local/secrets.json", "{ \"DEFAULT_WEBHOOK_SECRET\": { \"value\": 5 } }");

        var error = Assert.Throws<SecretException>(() => Store().Set("OTHER", Value));

        Assert.Equal(".deploy/local/secrets.json is not a valid secret store. .deploy/local/secrets.json:1:3: DEFAULT_WEBHOOK_SECRET.updatedAt: missing; " +
                     "required: a date (ISO 8601). .deploy/local/secrets.json:1:31: DEFAULT_WEBHOOK_SECRET.value: expected an encrypted value, got a number (5). " +
                     "It is written by ./build.sh Secrets: restore it from a backup, or delete it and set the secrets again.", error.Message);
        Assert.Equal("{ \"DEFAULT_WEBHOOK_SECRET\": { \"value\": 5 } }", File.ReadAllText(file));
    }

    [Fact]
    public void The_key_can_come_from_an_environment_variable()
    {
        var variables = new Dictionary<string, string> { ["HOME"] = _home.Path, [SecretStore.KeyVariable] = "a-key-from-the-environment" };

        Store(variables).Set("DEFAULT_WEBHOOK_SECRET", Value);

        Assert.Equal(Value, Store(variables).Get("DEFAULT_WEBHOOK_SECRET"));
        Assert.False(File.Exists(_home.Combine(".config", "meshhook", "secrets.key")));
    }

    [Fact]
    public async Task Concurrent_first_setters_in_separate_processes_keep_every_value_under_one_key()
    {
        // Several `Secrets --set` at once, before any key exists: each must create or share the one key, and none may
        // write back the store without the others' values.
        const int processes = 6;
        var keyFile = _home.Combine("keys", "secrets.key");
        var names = Enumerable.Range(0, processes).Select(i => $"SECRET_{i}").ToList();

        var results = await Contenders.RunTogetherAsync(_home.Combine("work"),
            names.Select(name => new[] { "set-secret", _repository.Path, keyFile, _home.Combine("work"), name }).ToList(),
            TestContext.Current.CancellationToken);

        var report = Contenders.Describe(results);
        Assert.All(results, x => Assert.True(x.ExitCode == 0, report));
        Assert.Equal(names, Store().List().Select(x => x.Name));
        foreach (var name in names)
            Assert.Equal("value-of-" + name, Store().Get(name));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Store().FilePath));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Store().FilePath)!, "*.tmp"));
    }

    [Fact]
    public void Removing_from_a_store_that_does_not_exist_creates_nothing()
    {
        Assert.False(Store().Remove("DEFAULT_WEBHOOK_SECRET"));

        Assert.False(Directory.Exists(_repository.Combine(".deploy")));
    }
}
