using System.Text;
using System.Text.Json;

namespace MeshHook.Deployment.Environments.Reading;

/// <summary>
/// Line and column of every key and array element of a JSON document, by key path (<c>health.timeoutSeconds</c>,
/// <c>notifications[1].kind</c>), so that an error can point an editor at the exact place.
/// </summary>
internal sealed class JsonPositions
{
    readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    public static JsonPositions Scan(byte[] json)
    {
        var positions = new JsonPositions();
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == (byte)'\n')
                lineStarts.Add(i + 1);
        }

        var frames = new Stack<Frame>();
        string? pendingKey = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                var offset = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingKey = Child(frames.Peek().Path, reader.GetString()!);
                        positions.Record(pendingKey, json, lineStarts, offset);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    default:
                        string path;
                        if (frames.Count == 0)
                        {
                            path = string.Empty;
                            positions.Record(path, json, lineStarts, offset);
                        }
                        else if (frames.Peek() is { IsArray: true } array)
                        {
                            path = $"{array.Path}[{array.Index++}]";
                            positions.Record(path, json, lineStarts, offset);
                        }
                        else
                            path = pendingKey ?? string.Empty;

                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                            frames.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Positions are a courtesy: a document that does not parse is reported by the parser instead.
        }
        return positions;
    }

    public static string Child(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    /// <summary>Where <paramref name="path"/> is, or its nearest ancestor that exists (a missing key: its object).</summary>
    public (int Line, int Column) Of(string path)
    {
        while (true)
        {
            if (_positions.TryGetValue(path, out var position))
                return position;
            if (path.Length == 0)
                return (1, 1);
            path = Parent(path);
        }
    }

    static string Parent(string path)
    {
        if (path.EndsWith(']'))
            return path[..path.LastIndexOf('[')];
        var dot = path.LastIndexOf('.');
        return dot < 0 ? string.Empty : path[..dot];
    }

    void Record(string path, byte[] json, List<int> lineStarts, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
            line = ~line - 1;
        var column = Encoding.UTF8.GetCharCount(json, lineStarts[line], offset - lineStarts[line]) + 1;
        _positions.TryAdd(path, (line + 1, column));
    }

    sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
    }
}
