using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshHook.Build.Engine.Parameters;

/// <summary>One <c>.nuke/parameters[.profile].json</c> file: parameter names to values.</summary>
public sealed class ParameterFile
{
    ParameterFile(string path, IReadOnlyDictionary<string, (string Key, JsonElement Value)> values)
    {
        Path = path;
        Values = values;
    }

    public string Path { get; }

    /// <summary>Normalized name → (the key as written, its value).</summary>
    public IReadOnlyDictionary<string, (string Key, JsonElement Value)> Values { get; }

    public static string FileName(string? profile) => profile is null ? "parameters.json" : $"parameters.{profile}.json";

    public static ParameterFile Load(string path)
    {
        var text = File.ReadAllText(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            throw new BuildConfigurationException(
                $"{path}:{exception.LineNumber + 1}:{exception.BytePositionInLine + 1}: malformed JSON: {FirstSentence(exception.Message)}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BuildConfigurationException($"{path}:1:1: must be a JSON object of parameter names to values.");
            var values = new Dictionary<string, (string, JsonElement)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "$schema")
                    continue;
                values[Suggestions.Normalize(property.Name)] = (property.Name, property.Value.Clone());
            }
            return new ParameterFile(path, values);
        }
    }

    /// <summary>Sets one value in a parameter file, keeping every other key and creating the file (with $schema) if needed.</summary>
    public static void Write(string path, string key, string value)
    {
        JsonObject root;
        if (File.Exists(path))
        {
            Load(path); // reports malformed files with line and column before we touch them
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
                       { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        }
        else
        {
            root = new JsonObject { ["$schema"] = "./build.schema.json" };
        }

        var existing = root.Select(x => x.Key).FirstOrDefault(x => Suggestions.Normalize(x) == Suggestions.Normalize(key));
        root[existing ?? key] = value;
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    static string FirstSentence(string message)
    {
        var index = message.IndexOf(" Path:", StringComparison.Ordinal);
        return index > 0 ? message[..index] : message;
    }
}
