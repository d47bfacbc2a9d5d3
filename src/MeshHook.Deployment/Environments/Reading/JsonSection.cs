using MeshHook.Tooling;
using System.Globalization;
using System.Text.Json;

namespace MeshHook.Deployment.Environments.Reading;

/// <summary>
/// One JSON object of a configuration file being read: typed accessors that record a problem (key path, what is allowed)
/// instead of throwing, and remember which keys were asked for, so that any other key is reported as unknown with the
/// closest known key.
/// </summary>
internal sealed class JsonSection
{
    readonly List<KeyValuePair<string, JsonElement>> _properties = [];
    readonly HashSet<string> _known = new(StringComparer.Ordinal);
    readonly HashSet<string> _forbidden = new(StringComparer.Ordinal);

    JsonSection(JsonElement element, string path, FileErrors errors)
    {
        Path = path;
        Errors = errors;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (seen.Add(property.Name))
                _properties.Add(new(property.Name, property.Value));
            else
                errors.Add(PathOf(property.Name), "appears more than once in this object; keep one.");
        }
    }

    public string Path { get; }

    public FileErrors Errors { get; }

    /// <summary>The keys in file order (for maps such as <c>configuration</c>, whose keys are names chosen by the user).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonElement>> Properties => _properties;

    /// <summary>The element as an object section, or null after recording that it is not one.</summary>
    public static JsonSection? From(JsonElement element, string path, FileErrors errors, string expected)
    {
        if (element.ValueKind == JsonValueKind.Object)
            return new JsonSection(element, path, errors);
        errors.Add(path, $"expected {expected}, got {Describe(element)}.");
        return null;
    }

    public string PathOf(string key) => JsonPositions.Child(Path, key);

    public bool Has(string key)
    {
        _known.Add(key);
        return TryGet(key, out _);
    }

    public JsonElement? Value(string key, bool required, string expected)
    {
        _known.Add(key);
        if (TryGet(key, out var value))
            return value;
        if (required)
            Errors.Add(PathOf(key), $"missing; required: {expected}.");
        return null;
    }

    public string? String(string key, bool required, string expected, Func<string, string?>? check = null)
    {
        if (Value(key, required, expected) is not { } value)
            return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add(PathOf(key), $"expected {expected}, got {Describe(value)}.");
            return null;
        }
        var text = value.GetString()!;
        if (check?.Invoke(text) is { } problem)
        {
            Errors.Add(PathOf(key), problem);
            return null;
        }
        return text;
    }

    public int? Integer(string key, bool required, int minimum, int maximum)
    {
        var expected = $"an integer from {minimum} to {maximum}";
        return Value(key, required, expected) is { } value ? ReadInteger(value, PathOf(key), minimum, maximum, Errors) : null;
    }

    public static int? ReadInteger(JsonElement value, string path, int minimum, int maximum, FileErrors errors)
    {
        var expected = $"an integer from {minimum} to {maximum}";
        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(path, $"expected {expected}, got {Describe(value)}.");
            return null;
        }
        if (!value.TryGetInt64(out var number))
        {
            errors.Add(path, $"expected {expected}, got {value.GetRawText()} (not a whole number).");
            return null;
        }
        if (number < minimum || number > maximum)
        {
            errors.Add(path, $"{number.ToString(CultureInfo.InvariantCulture)} is out of range; allowed: {expected}.");
            return null;
        }
        return (int)number;
    }

    public bool? Boolean(string key, bool required)
    {
        if (Value(key, required, "true or false") is not { } value)
            return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        Errors.Add(PathOf(key), $"expected true or false, got {Describe(value)}" +
                                (value.ValueKind == JsonValueKind.String ? " (write it without quotes)." : "."));
        return null;
    }

    public T? Enum<T>(string key, bool required) where T : struct, Enum
    {
        var names = JsonEnum.Names<T>();
        var expected = "one of " + string.Join(", ", names);
        if (Value(key, required, expected) is not { } value)
            return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add(PathOf(key), $"expected {expected}, got {Describe(value)}.");
            return null;
        }
        var text = value.GetString()!;
        if (JsonEnum.TryParse<T>(text, out var parsed))
            return parsed;
        Errors.Add(PathOf(key), $"'{text}' is not allowed; allowed: {string.Join(", ", names)}.{NameSuggestions.DidYouMean(text, names)}");
        return null;
    }

    public JsonSection? Object(string key, bool required, string expected) =>
        Value(key, required, expected) is { } value ? From(value, PathOf(key), Errors, expected) : null;

    /// <summary>The elements with their paths (<c>key[0]</c>...), or null after recording that the value is not an array.</summary>
    public IReadOnlyList<(string Path, JsonElement Element)>? Array(string key, bool required, string expected)
    {
        if (Value(key, required, expected) is not { } value)
            return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            Errors.Add(PathOf(key), $"expected {expected}, got {Describe(value)}.");
            return null;
        }
        return value.EnumerateArray().Select((x, i) => ($"{PathOf(key)}[{i}]", x)).ToList();
    }

    /// <summary>A key that exists in the format but not in this variant (e.g. <c>vaultUrl</c> of an env provider).</summary>
    public void Forbid(string key, string reason)
    {
        _known.Add(key);
        _forbidden.Add(key);
        if (TryGet(key, out _))
            Errors.Add(PathOf(key), reason);
    }

    public void Error(string key, string message) => Errors.Add(PathOf(key), message);

    public void RejectUnknownKeys()
    {
        var allowed = _known.Where(x => !_forbidden.Contains(x)).ToList();
        foreach (var (key, _) in _properties.Where(x => !_known.Contains(x.Key)))
        {
            Errors.Add(PathOf(key), $"unknown key; allowed here: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}." +
                                    NameSuggestions.DidYouMean(key, allowed));
        }
    }

    /// <summary>What a value is, for "expected X, got Y". Strings are never quoted back: one may be a misplaced secret.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"a number ({value.GetRawText()})",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "nothing",
    };

    bool TryGet(string key, out JsonElement value)
    {
        foreach (var property in _properties)
        {
            if (property.Key == key)
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }
}
