using System.Text;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// The env file a release's processes are started with: one <c>KEY='value'</c> line per variable, in POSIX shell quoting
/// (single quotes; a quote inside a value is written <c>'\''</c>), so <c>set -a; . ./app.env</c>, dotenv parsers and
/// <see cref="Parse"/> all read back the exact value. Keys must be <c>[A-Z_][A-Z0-9_]*</c>; values must be one line
/// without NUL. Written with mode 0600, atomically; nothing is written when any entry is refused.
/// </summary>
public static class EnvFile
{
    public const string Header = "# Written by the MeshHook deployer; every deploy rewrites it. Mode 0600: it holds secrets.";

    public static bool IsValidKey(string key) => VariableName.IsValid(key);

    /// <exception cref="EnvFileException">A key or value the file cannot hold (all of them listed, no value shown).</exception>
    public static string Format(IEnumerable<KeyValuePair<string, string>> values)
    {
        var entries = values.ToList();
        var problems = new List<string>();
        foreach (var group in entries.GroupBy(x => x.Key).Where(x => x.Count() > 1))
            problems.Add($"{group.Key} is given {group.Count()} times");
        foreach (var (key, value) in entries)
        {
            if (!IsValidKey(key))
                problems.Add(VariableName.Problem(key));
            else if (value is null)
                problems.Add($"{key} has no value");
            else if (value.IndexOfAny(['\n', '\r']) >= 0)
                problems.Add($"the value of {key} contains a line break");
            else if (value.Contains('\0'))
                problems.Add($"the value of {key} contains a NUL character");
        }
        if (problems.Count > 0)
            throw new EnvFileException($"An env file cannot hold these values: {string.Join("; ", problems.Distinct())}. Nothing was written.");

        var text = new StringBuilder(Header).Append('\n');
        foreach (var (key, value) in entries)
            text.Append(key).Append('=').Append(Quote(value)).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes the file with mode 0600 (folder created 0700 if missing), replacing it atomically.</summary>
    /// <exception cref="EnvFileException">A key or value the file cannot hold; nothing was written.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, string>> values) => PrivateFiles.WriteAtomically(path, Format(values));

    public static string Quote(string value) => "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'";

    /// <summary>Reads back what <see cref="Format"/> wrote (comments and blank lines skipped).</summary>
    public static IReadOnlyDictionary<string, string> Parse(string content)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = content.Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var equals = line.IndexOf('=');
            if (equals <= 0 || !IsValidKey(line[..equals]))
                throw new EnvFileException($"Line {number} of the env file is not KEY=value.");
            values[line[..equals]] = Unquote(line[(equals + 1)..], number);
        }
        return values;
    }

    public static IReadOnlyDictionary<string, string> Read(string path) => Parse(File.ReadAllText(path));

    static string Unquote(string text, int number)
    {
        var value = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\'':
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                        throw new EnvFileException($"Line {number} of the env file has an unterminated quote.");
                    value.Append(text, i + 1, end - i - 1);
                    i = end;
                    break;
                case '\\' when i + 1 < text.Length:
                    value.Append(text[++i]);
                    break;
                default:
                    value.Append(text[i]);
                    break;
            }
        }
        return value.ToString();
    }
}
