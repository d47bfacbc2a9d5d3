using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Environments.Reading;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// <c>"secrets": { "provider": "file" }</c>: an environment's secrets encrypted in <c>.deploy/&lt;env&gt;/secrets.json</c>
/// (git-ignored, mode 0600, folder 0700):
/// <code>{ "DEFAULT_WEBHOOK_SECRET": { "value": "aesgcm:v1:...", "updatedAt": "2026-11-30T06:45:12Z" } }</code>
/// Each value is AES-256-GCM encrypted (<see cref="SecretCipher"/>) with the environment and the name bound in, so a value
/// copied to another name or environment does not decrypt. The key comes from MESHHOOK_SECRETS_KEY, else the file named by
/// MESHHOOK_SECRETS_KEY_FILE, else ~/.config/meshhook/secrets.key (created, 0600, by the first <see cref="Set"/>). Set and Remove
/// hold a kernel lock on <c>secrets.json.lock</c> while they read, change and rewrite the file (temp + rename, 0600), so
/// concurrent runs never lose each other's changes.
/// </summary>
public sealed class SecretStore : ISecretProvider
{
    public const string KeyVariable = "MESHHOOK_SECRETS_KEY", KeyFileVariable = "MESHHOOK_SECRETS_KEY_FILE", DefaultKeyFile = "secrets.key";

    readonly SecretMasker _masker;
    readonly TimeProvider _time;

    public SecretStore(string repositoryRoot, EnvironmentName environment, KeySource key, SecretMasker masker, TimeProvider? time = null)
    {
        Environment = environment;
        Key = key;
        FilePath = Path.Combine(Path.GetFullPath(repositoryRoot), RelativePath(environment));
        _masker = masker;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The store of <paramref name="environment"/>, its key looked up in <paramref name="variables"/> (the process environment).</summary>
    public static SecretStore Open(string repositoryRoot, EnvironmentName environment, IReadOnlyDictionary<string, string> variables,
        SecretMasker masker, TimeProvider? time = null) =>
        new(repositoryRoot, environment, new KeySource(KeyVariable, KeyFileVariable, DefaultKeyFile, variables, repositoryRoot), masker, time);

    public static string RelativePath(EnvironmentName environment) => $".deploy/{environment.ToText()}/secrets.json";

    public EnvironmentName Environment { get; }

    public KeySource Key { get; }

    public string FilePath { get; }

    public string Description => $"the encrypted file {RelativePath(Environment)}";

    public static string SetCommand(EnvironmentName environment, string name) => $"./build.sh Secrets --environment {environment.ToText()} --set {name}";

    public string HowToSet(string name) => $"{SetCommand(Environment, name)} (the value is read from standard input)";

    /// <summary>Makes sure there is a key; true when a new key file was created (say so: without it the values are lost).</summary>
    public bool EnsureKey() => Key.ReadOrCreate().Created;

    public StoredSecret Set(string name, string value)
    {
        ThrowOnInvalidName(name);
        if (string.IsNullOrEmpty(value))
            throw new SecretException($"No value for {name}; nothing was stored.");
        if (value.Contains('\0'))
            throw new SecretException($"The value for {name} contains a NUL character; nothing was stored.");
        SecretValues.Mask(_masker, name, value, $"the value given for {Environment.ToText()}");

        using var guard = TakeGuard();
        var entries = ReadEntries();
        var (key, _) = Key.ReadOrCreate();
        _masker.Register(key);
        // One store, one key: a value added under another key would make the store undecryptable as a whole.
        if (entries.FirstOrDefault(x => x.Key != name) is { Key: not null } other)
        {
            try
            {
                Decrypt(other.Key, other.Value.Value, key);
            }
            catch (SecretException exception)
            {
                throw new SecretException(
                    $"{RelativePath(Environment)} holds values stored with another key than the one from {Key.Source} ({other.Key} does not " +
                    $"decrypt); nothing was stored. Use the original key ({KeyVariable}, or {KeyFileVariable} pointing at its file), or remove " +
                    $"the old values first (./build.sh Secrets --environment {Environment.ToText()} --remove NAME).", exception);
            }
        }
        var now = _time.GetUtcNow();
        var updatedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        entries[name] = new Entry(SecretCipher.Encrypt(value, key, Context(name)), updatedAt);
        Write(entries);
        return new StoredSecret(name, updatedAt);
    }

    /// <summary>Names and dates of the stored secrets, sorted by name; values are not read (no key needed).</summary>
    public IReadOnlyList<StoredSecret> List() => ReadEntries().Select(x => new StoredSecret(x.Key, x.Value.UpdatedAt)).ToList();

    public bool Contains(string name) => ReadEntries().ContainsKey(name);

    /// <summary>The decrypted value, registered with the masker.</summary>
    /// <exception cref="SecretException">Not stored, no key, or the key is not the one it was stored with.</exception>
    public string Get(string name)
    {
        ThrowOnInvalidName(name);
        var entries = ReadEntries();
        if (!entries.TryGetValue(name, out var entry))
            throw new SecretException(
                $"Secret {name} of {Environment.ToText()} is not set ({RelativePath(Environment)} has no {name}). Set it with: " +
                $"{SetCommand(Environment, name)} (the value is read from standard input).");
        var key = Key.Read($"{SetCommand(Environment, name)} creates one");
        _masker.Register(key);
        return SecretValues.Mask(_masker, name, Decrypt(name, entry.Value, key), RelativePath(Environment));
    }

    public Task<string> GetAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Get(name));
    }

    /// <summary>Deletes the secret; false when it was not stored.</summary>
    public bool Remove(string name)
    {
        if (!File.Exists(FilePath))
            return false;
        using var guard = TakeGuard();
        var entries = ReadEntries();
        if (!entries.Remove(name))
            return false;
        Write(entries);
        return true;
    }

    /// <summary>
    /// Set and Remove read, change and write the whole file: a kernel lock on <c>secrets.json.lock</c> beside it makes that
    /// one step for concurrent runs (two <c>Secrets --set</c> would otherwise each write back the file without the other's value).
    /// </summary>
    IDisposable TakeGuard()
    {
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        return FileGuard.Take(FilePath + ".lock", RelativePath(Environment));
    }

    string Context(string name) => $"meshhook/secrets/{Environment.ToText()}/{name}";

    string Decrypt(string name, string encrypted, string key)
    {
        try
        {
            return SecretCipher.Decrypt(encrypted, key, Context(name));
        }
        catch (CryptographicException exception)
        {
            throw new SecretException(
                $"Cannot decrypt {name} in {RelativePath(Environment)} with the key from {Key.Source}: it is not the key the value was " +
                $"stored with (or the file was altered). Use the original key ({KeyVariable}, or {KeyFileVariable} pointing at its file), " +
                $"or set the value again: {SetCommand(Environment, name)}.", exception);
        }
        catch (FormatException exception)
        {
            throw new SecretException(
                $"{name} in {RelativePath(Environment)} is not an encrypted value (expected {SecretCipher.Prefix}...); the file is written by " +
                $"./build.sh Secrets, not by hand. Set the value again: {SetCommand(Environment, name)}.", exception);
        }
    }

    SortedDictionary<string, Entry> ReadEntries()
    {
        var entries = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        if (!File.Exists(FilePath))
            return entries;
        var relative = RelativePath(Environment);
        var bytes = File.ReadAllBytes(FilePath);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException exception)
        {
            throw Corrupt($"{relative}:{(exception.LineNumber ?? 0) + 1}:{(exception.BytePositionInLine ?? 0) + 1}: not valid JSON.");
        }

        using (document)
        {
            var errors = new FileErrors(relative, JsonPositions.Scan(bytes));
            if (JsonSection.From(document.RootElement, string.Empty, errors, "an object of NAME: { \"value\", \"updatedAt\" }") is { } root)
            {
                foreach (var (name, element) in root.Properties)
                {
                    if (JsonSection.From(element, root.PathOf(name), errors, "an object { \"value\", \"updatedAt\" }") is not { } item)
                        continue;
                    var value = item.String("value", required: true, "an encrypted value");
                    var updatedAt = item.String("updatedAt", required: true, "a date (ISO 8601)",
                        x => DateTimeOffset.TryParse(x, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _) ? null : "not a date (ISO 8601).");
                    item.RejectUnknownKeys();
                    if (value is not null && updatedAt is not null)
                        entries[name] = new Entry(value, DateTimeOffset.Parse(updatedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
                }
            }
            if (errors.Count > 0)
                throw Corrupt(string.Join(" ", errors.InFileOrder()));
        }
        return entries;

        SecretException Corrupt(string problem) => new(
            $"{relative} is not a valid secret store. {problem} It is written by ./build.sh Secrets: restore it from a backup, or delete it " +
            "and set the secrets again.");
    }

    void Write(SortedDictionary<string, Entry> entries)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, entry) in entries)
            {
                writer.WriteStartObject(name);
                writer.WriteString("value", entry.Value);
                writer.WriteString("updatedAt", entry.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        PrivateFiles.WriteAtomically(FilePath, Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    internal static void ThrowOnInvalidName(string name)
    {
        if (!VariableName.IsValid(name))
            throw new SecretException("Secret names are environment variable names: " + VariableName.Problem(name));
    }

    sealed record Entry(string Value, DateTimeOffset UpdatedAt);
}
