using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Tests.Environments;

/// <summary>
/// A JSON Schema draft-07 validator for the keywords environment.schema.json uses ($ref to #/definitions, type, enum,
/// const, properties, required, additionalProperties, propertyNames, items, minItems, maxItems, uniqueItems, minimum,
/// maximum, minLength, pattern, allOf, anyOf, oneOf, not, if/then/else). An unsupported keyword fails loudly, so the schema
/// cannot grow a rule these tests silently ignore.
/// </summary>
internal sealed class SchemaValidator(JsonElement schema)
{
    static readonly HashSet<string> Annotations = ["$schema", "title", "description", "default", "examples", "format", "definitions", "$comment"];

    public IReadOnlyList<string> Validate(JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, instance, "", errors);
        return errors;
    }

    /// <summary>The schema that applies to a document path (following properties, additionalProperties, items and $ref).</summary>
    public JsonElement? At(string path)
    {
        JsonElement? current = schema;
        foreach (Match segment in Regex.Matches(path, @"[^.\[\]]+|\[\d+\]"))
        {
            if (current is not { } node)
                return null;
            node = Resolve(node);
            if (segment.Value.StartsWith('['))
                current = node.TryGetProperty("items", out var items) ? items : null;
            else if (node.TryGetProperty("properties", out var properties) && properties.TryGetProperty(segment.Value, out var property))
                current = property;
            else if (node.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
                current = additional;
            else
                current = null;
        }
        return current is { } found ? Resolve(found) : null;
    }

    public JsonElement Resolve(JsonElement node)
    {
        while (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!;
            Assert.StartsWith("#/definitions/", name);
            node = schema.GetProperty("definitions").GetProperty(name["#/definitions/".Length..]);
        }
        return node;
    }

    bool IsValid(JsonElement node, JsonElement instance, string path)
    {
        var errors = new List<string>();
        Check(node, instance, path, errors);
        return errors.Count == 0;
    }

    void Check(JsonElement node, JsonElement instance, string path, List<string> errors)
    {
        if (node.ValueKind == JsonValueKind.True)
            return;
        if (node.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: not allowed");
            return;
        }
        if (node.TryGetProperty("$ref", out _))
        {
            // draft-07: a $ref's siblings are ignored.
            Check(Resolve(node), instance, path, errors);
            return;
        }

        foreach (var keyword in node.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case var name when Annotations.Contains(name):
                    break;
                case "type":
                    var types = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(x => x.GetString()!).ToList() : [value.GetString()!];
                    if (!types.Any(x => HasType(instance, x)))
                        errors.Add($"{path}: not of type {string.Join("|", types)}");
                    break;
                case "enum":
                    if (!value.EnumerateArray().Any(x => JsonElement.DeepEquals(x, instance)))
                        errors.Add($"{path}: not in enum");
                    break;
                case "const":
                    if (!JsonElement.DeepEquals(value, instance))
                        errors.Add($"{path}: not the const");
                    break;
                case "minimum":
                    if (instance.ValueKind == JsonValueKind.Number && instance.GetDecimal() < value.GetDecimal())
                        errors.Add($"{path}: below minimum");
                    break;
                case "maximum":
                    if (instance.ValueKind == JsonValueKind.Number && instance.GetDecimal() > value.GetDecimal())
                        errors.Add($"{path}: above maximum");
                    break;
                case "minLength":
                    if (instance.ValueKind == JsonValueKind.String && instance.GetString()!.Length < value.GetInt32())
                        errors.Add($"{path}: too short");
                    break;
                case "pattern":
                    if (instance.ValueKind == JsonValueKind.String && !Matches(value.GetString()!, instance.GetString()!))
                        errors.Add($"{path}: does not match {value.GetString()}");
                    break;
                case "required":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var required in value.EnumerateArray().Select(x => x.GetString()!).Where(x => !instance.TryGetProperty(x, out _)))
                            errors.Add($"{Child(path, required)}: required");
                    }
                    break;
                case "properties":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var property in instance.EnumerateObject())
                        {
                            if (value.TryGetProperty(property.Name, out var propertySchema))
                                Check(propertySchema, property.Value, Child(path, property.Name), errors);
                        }
                    }
                    break;
                case "additionalProperties":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        var declared = node.TryGetProperty("properties", out var properties) ? properties : default;
                        foreach (var property in instance.EnumerateObject())
                        {
                            if (declared.ValueKind == JsonValueKind.Object && declared.TryGetProperty(property.Name, out _))
                                continue;
                            Check(value, property.Value, Child(path, property.Name), errors);
                        }
                    }
                    break;
                case "propertyNames":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var property in instance.EnumerateObject())
                        {
                            using var name = JsonDocument.Parse(JsonSerializer.Serialize(property.Name));
                            Check(value, name.RootElement, Child(path, property.Name), errors);
                        }
                    }
                    break;
                case "items":
                    if (instance.ValueKind == JsonValueKind.Array)
                    {
                        var index = 0;
                        foreach (var item in instance.EnumerateArray())
                            Check(value, item, $"{path}[{index++}]", errors);
                    }
                    break;
                case "minItems":
                    if (instance.ValueKind == JsonValueKind.Array && instance.GetArrayLength() < value.GetInt32())
                        errors.Add($"{path}: too few items");
                    break;
                case "maxItems":
                    if (instance.ValueKind == JsonValueKind.Array && instance.GetArrayLength() > value.GetInt32())
                        errors.Add($"{path}: too many items");
                    break;
                case "uniqueItems":
                    if (value.GetBoolean() && instance.ValueKind == JsonValueKind.Array)
                    {
                        var items = instance.EnumerateArray().ToList();
                        if (items.Where((x, i) => items.Skip(i + 1).Any(y => JsonElement.DeepEquals(x, y))).Any())
                            errors.Add($"{path}: items not unique");
                    }
                    break;
                case "allOf":
                    foreach (var part in value.EnumerateArray())
                        Check(part, instance, path, errors);
                    break;
                case "anyOf":
                    if (!value.EnumerateArray().Any(x => IsValid(x, instance, path)))
                        errors.Add($"{path}: matches none of anyOf");
                    break;
                case "oneOf":
                    var matches = value.EnumerateArray().Count(x => IsValid(x, instance, path));
                    if (matches != 1)
                        errors.Add($"{path}: matches {matches} of oneOf");
                    break;
                case "not":
                    if (IsValid(value, instance, path))
                        errors.Add($"{path}: matches not");
                    break;
                case "if":
                    var branch = IsValid(value, instance, path) ? "then" : "else";
                    if (node.TryGetProperty(branch, out var conditional))
                        Check(conditional, instance, path, errors);
                    break;
                case "then" or "else":
                    break;
                default:
                    throw new NotSupportedException($"The test validator does not know the keyword '{keyword.Name}' (at schema path of {path}).");
            }
        }
    }

    static bool HasType(JsonElement instance, string type) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number &&
                     decimal.TryParse(instance.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number == decimal.Truncate(number),
        _ => throw new NotSupportedException($"type {type}"),
    };

    // ECMAScript's $ (no multiline) matches only at the very end; .NET's also before a final line break.
    static bool Matches(string pattern, string text) =>
        Regex.IsMatch(text, pattern.EndsWith('$') ? pattern[..^1] + @"\z" : pattern, RegexOptions.CultureInvariant);

    static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;
}
