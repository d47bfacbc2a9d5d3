using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshHook.Tooling;

/// <summary>
/// JSON for output with secrets masked in every string BEFORE it is serialised: the serialiser escapes characters
/// (<c>&amp; + ' " &lt; &gt; \</c>, non-ASCII), and a secret escaped that way no longer reads as the value. The
/// serialised text is masked once more (its escaped forms are registered too) in case a value was not a string.
/// </summary>
public static class MaskedJson
{
    public static string Serialize<T>(T value, JsonSerializerOptions options, SecretMasker masker)
    {
        var node = JsonSerializer.SerializeToNode(value, options);
        return masker.Apply(Mask(node, masker)?.ToJsonString(options) ?? "null");
    }

    static JsonNode? Mask(JsonNode? node, SecretMasker masker)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                    obj[name] = Mask(child, masker);
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    array[i] = Mask(array[i]?.DeepClone(), masker);
                return array;
            case JsonValue text when text.GetValueKind() == JsonValueKind.String:
                return JsonValue.Create(masker.Apply(text.GetValue<string>()));
            default:
                return node;
        }
    }
}
