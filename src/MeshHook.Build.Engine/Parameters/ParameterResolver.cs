using System.Security.Cryptography;
using System.Text.Json;
using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Parameters;

/// <summary>
/// Finds each parameter's value: the command line first, then environment variables (the exact name, else the same letters
/// and digits ignoring case, also with a NUKE_ prefix), then the parameter files (a profile's file over parameters.json,
/// later profiles over earlier ones). Unknown names on the command line or in files are errors with the closest match.
/// Secret values are registered with the masker as soon as they are known.
/// </summary>
public sealed class ParameterResolver
{
    readonly CommandLine _commandLine;
    readonly IReadOnlyDictionary<string, string> _environment;
    readonly IReadOnlyList<ParameterFile> _files;
    readonly KeySource _key;
    readonly SecretMasker _masker;
    readonly AbsolutePath _root;
    readonly ILookup<string, string> _environmentByNormalizedName;

    public ParameterResolver(CommandLine commandLine, IReadOnlyDictionary<string, string> environment, IReadOnlyList<ParameterFile> files,
        KeySource key, SecretMasker masker, AbsolutePath root)
    {
        _commandLine = commandLine;
        _environment = environment;
        _files = files;
        _key = key;
        _masker = masker;
        _root = root;
        _environmentByNormalizedName = environment.Keys.ToLookup(Suggestions.Normalize);
    }

    public List<string> Warnings { get; } = [];

    /// <summary>Fails on a command-line option or file key that names no parameter.</summary>
    public void ThrowOnUnknownNames(IReadOnlyList<ParameterDescriptor> parameters)
    {
        var known = parameters.Select(x => Suggestions.Normalize(x.Name)).ToHashSet();
        var spellings = parameters.Select(x => x.CommandLineName).ToList();
        foreach (var option in _commandLine.Options)
        {
            if (!known.Contains(Suggestions.Normalize(option.Spelling)))
                throw new BuildConfigurationException(
                    $"Unknown parameter '{option.Spelling}'.{Suggestions.DidYouMean(option.Spelling, spellings)} Run ./build.sh --help for the list.");
        }
        foreach (var file in _files)
        {
            foreach (var (normalized, (key, _)) in file.Values)
            {
                if (!known.Contains(normalized))
                    throw new BuildConfigurationException(
                        $"{file.Path}: unknown parameter '{key}'.{Suggestions.DidYouMean(key, parameters.Select(x => x.Name))}");
                if (parameters.First(x => Suggestions.Normalize(x.Name) == normalized).CommandLineOnly)
                    throw new BuildConfigurationException($"{file.Path}: '{key}' can only be given on the command line.");
            }
        }
    }

    /// <summary>The parameter's value, or null (with no source) when nothing sets it.</summary>
    public (object? Value, string? Source) Resolve(ParameterDescriptor parameter)
    {
        if (_commandLine.Get(parameter.Name) is { } option)
            return Converted(option.Values, $"command line {option.Spelling}");

        if (parameter.CommandLineOnly)
            return (null, null);

        if (!parameter.NotFromEnvironment && FindEnvironmentVariable(parameter.Name) is { } variable)
            return Converted(EnvironmentValues(parameter, _environment[variable]), $"environment variable {variable}");

        foreach (var file in _files.Reverse())
        {
            if (!file.Values.TryGetValue(Suggestions.Normalize(parameter.Name), out var entry) || entry.Value.ValueKind == JsonValueKind.Null)
                continue;
            var values = Values(entry.Value, file.Path, entry.Key);
            if (parameter.IsSecret)
                values = values.Select(x => Decrypt(parameter, x, file.Path)).ToList();
            return Converted(values, $"{Path.GetFileName(file.Path)}");
        }

        return (null, null);

        (object?, string?) Converted(IReadOnlyList<string> values, string source)
        {
            if (parameter.IsSecret)
            {
                foreach (var value in values)
                {
                    ThrowOnUnmaskableSecret(parameter.Name, value, source);
                    _masker.Register(value);
                }
            }
            return (ParameterConverter.Convert(parameter, values, source, _root), source);
        }
    }

    /// <summary>
    /// An environment variable holds one string: a list parameter without a separator of its own takes it split on
    /// whitespace (PORTS="80 443"); with a separator, the converter splits it.
    /// </summary>
    static IReadOnlyList<string> EnvironmentValues(ParameterDescriptor parameter, string value) =>
        parameter.IsList && parameter.Separator is not { Length: > 0 }
            ? value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : [value];

    string? FindEnvironmentVariable(string name)
    {
        if (_environment.ContainsKey(name))
            return name;
        var normalized = Suggestions.Normalize(name);
        // The name without the NUKE_ prefix wins over the prefixed one, whatever their casing (apikey over NUKE_API_KEY).
        return First(_environmentByNormalizedName[normalized]) ?? First(_environmentByNormalizedName["nuke" + normalized]);

        string? First(IEnumerable<string> names) =>
            names.Where(x => _environment[x].Length > 0).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    string Decrypt(ParameterDescriptor parameter, string value, string file)
    {
        if (!SecretCipher.IsEncrypted(value))
        {
            Warnings.Add($"Secret parameter '{parameter.Name}' is stored in plain text in {file}; store it encrypted with " +
                         $"./build.sh --set-secret {parameter.Name}{ProfileHint(file)}.");
            return value;
        }
        var key = _key.Read("./build.sh --set-secret NAME creates one");
        _masker.Register(key);
        try
        {
            return SecretCipher.Decrypt(value, key, SecretContext(parameter.Name));
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            throw new BuildConfigurationException(
                $"Cannot decrypt secret parameter '{parameter.Name}' from {file}: the key from {_key.Source} is not the one it was " +
                $"encrypted with (or the value was altered). Use the right key, or set the value again with " +
                $"./build.sh --set-secret {parameter.Name}{ProfileHint(file)}.");
        }
    }

    /// <summary>
    /// Refuses a secret value of 1 or 2 characters (after trimming): the masker ignores values that short, since masking
    /// them would garble every log line, so such a secret would be printed in clear. Empty means "not set" and is left alone.
    /// </summary>
    public static void ThrowOnUnmaskableSecret(string parameterName, string value, string source)
    {
        var length = value.Trim().Length;
        if (length is > 0 and < SecretMasker.MinimumLength)
            throw new BuildConfigurationException(
                $"Secret parameter '{parameterName}' ({source}) is shorter than {SecretMasker.MinimumLength} characters: a value that short " +
                "cannot be masked in the log without garbling it, so it is refused. Use the real secret (at least " +
                $"{SecretMasker.MinimumLength} characters), or remove it.");
    }

    /// <summary>Binds an encrypted value to its parameter: it does not decrypt under another name.</summary>
    public static string SecretContext(string parameterName) => "meshhook-parameter:" + Suggestions.Normalize(parameterName);

    /// <summary>The key for secret parameters: MESHHOOK_PARAMETERS_KEY, the file MESHHOOK_PARAMETERS_KEY_FILE, or ~/.config/meshhook/parameters.key.</summary>
    public static KeySource Key(IReadOnlyDictionary<string, string> environment, string root) =>
        new("MESHHOOK_PARAMETERS_KEY", "MESHHOOK_PARAMETERS_KEY_FILE", "parameters.key", environment, root);

    static string ProfileHint(string file)
    {
        var name = Path.GetFileName(file);
        return name.StartsWith("parameters.", StringComparison.Ordinal) && name.Count(c => c == '.') == 2
            ? " --profile " + name.Split('.')[1]
            : string.Empty;
    }

    static List<string> Values(JsonElement element, string file, string key) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().Select(x => Scalar(x, file, key)).ToList(),
        _ => [Scalar(element, file, key)],
    };

    static string Scalar(JsonElement element, string file, string key) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new BuildConfigurationException($"{file}: parameter '{key}' must be a string, number, boolean or array of them."),
    };
}
