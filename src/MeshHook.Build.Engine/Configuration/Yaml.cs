using System.Text;
using System.Text.RegularExpressions;

namespace MeshHook.Build.Engine.Configuration;

/// <summary>
/// An ordered YAML mapping: keys keep the order they were added in, so generated files are stable and read top-down.
/// Values are strings, numbers, booleans, <see cref="YamlMap"/>, <see cref="IEnumerable{T}"/> of values, or
/// <see cref="YamlValue"/> (a scalar with a trailing comment, or a block of lines).
/// </summary>
public sealed class YamlMap : List<KeyValuePair<string, object>>
{
    public void Add(string key, object? value)
    {
        if (value is not null)
            Add(new KeyValuePair<string, object>(key, value));
    }
}

/// <summary>A scalar with a comment after it (<c>uses: x@sha # v1.2.3</c>) or a literal block (<c>run: |</c>).</summary>
public sealed record YamlValue(string Text, string? Comment = null, bool Block = false);

/// <summary>Writes <see cref="YamlMap"/> trees as block-style YAML, quoting only where YAML would misread a plain scalar.</summary>
public static partial class YamlWriter
{
    public static string Write(YamlMap root)
    {
        var text = new StringBuilder();
        WriteMap(text, root, 0);
        return text.ToString();
    }

    static void WriteMap(StringBuilder text, YamlMap map, int indent, bool firstInline = false)
    {
        var first = true;
        foreach (var (key, value) in map)
        {
            if (!(first && firstInline))
                text.Append(' ', indent);
            first = false;
            text.Append(PlainKey().IsMatch(key) ? key : Scalar(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    static void WriteValue(StringBuilder text, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case YamlValue { Block: true } block:
                text.Append(" |\n");
                foreach (var line in block.Text.TrimEnd('\n').Split('\n'))
                    text.Append(line.Length == 0 ? "" : new string(' ', indent + 2) + line).Append('\n');
                break;
            case YamlValue scalar:
                text.Append(' ').Append(Scalar(scalar.Text));
                if (scalar.Comment is not null)
                    text.Append(" # ").Append(scalar.Comment);
                text.Append('\n');
                break;
            case string or bool or int:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
            case System.Collections.IEnumerable items:
                var list = items.Cast<object>().ToList();
                if (list.Count == 0)
                {
                    text.Append(" []\n");
                    break;
                }
                text.Append('\n');
                foreach (var item in list)
                {
                    text.Append(' ', indent + 2).Append("- ");
                    if (item is YamlMap itemMap)
                        WriteMap(text, itemMap, indent + 4, firstInline: true);
                    else
                        text.Append(Scalar(item)).Append('\n');
                }
                break;
            default:
                throw new ArgumentException($"No YAML form for {value.GetType().Name}.");
        }
    }

    /// <summary>A plain scalar when YAML reads it back as the same string, else single-quoted.</summary>
    public static string Scalar(object value) => value switch
    {
        bool flag => flag ? "true" : "false",
        int number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string text when NeedsQuotes(text) => "'" + text.Replace("'", "''") + "'",
        string text => text,
        _ => throw new ArgumentException($"No YAML scalar for {value.GetType().Name}."),
    };

    static bool NeedsQuotes(string text) =>
        text.Length == 0 || text != text.Trim() || text.Contains(": ") || text.Contains(" #") || text.EndsWith(':') ||
        text.Contains('\n') || "-?:,[]{}#&*!|>'\"%@`".Contains(text[0]) && !(text[0] == '-' && text.Length > 1 && text[1] != ' ') ||
        ReservedWord().IsMatch(text) || Number().IsMatch(text);

    [GeneratedRegex(@"^[A-Za-z_][\w.-]*$")]
    private static partial Regex PlainKey();

    [GeneratedRegex("^(?i:true|false|yes|no|on|off|null|y|n|~)$")]
    private static partial Regex ReservedWord();

    [GeneratedRegex(@"^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$")]
    private static partial Regex Number();
}
