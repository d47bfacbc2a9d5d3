namespace MeshHook.Deployment.Tests.Images;

/// <summary>One instruction of a Dockerfile: keyword (upper case), the rest of its logical line, the line it starts on.</summary>
internal sealed record DockerfileInstruction(string Keyword, string Arguments, int Line);

/// <summary>
/// Reads a Dockerfile's instructions as Docker does for what the tests check: comment lines dropped (also inside a
/// continuation), lines ending in a backslash joined.
/// </summary>
internal static class DockerfileInstructions
{
    public static IReadOnlyList<DockerfileInstruction> Parse(string text)
    {
        var instructions = new List<DockerfileInstruction>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? current = null;
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current is null))
                continue;
            if (current is null)
                start = i + 1;
            var continued = line.EndsWith('\\');
            current = (current is null ? "" : current + " ") + (continued ? line[..^1].Trim() : line);
            if (continued)
                continue;
            var space = current.IndexOfAny([' ', '\t']);
            instructions.Add(space < 0
                ? new DockerfileInstruction(current.ToUpperInvariant(), "", start)
                : new DockerfileInstruction(current[..space].ToUpperInvariant(), current[(space + 1)..].Trim(), start));
            current = null;
        }
        if (current is not null)
            throw new FormatException($"The Dockerfile ends inside a continuation that starts on line {start}.");
        return instructions;
    }

    /// <summary>KEY=VALUE pairs of ENV, ARG or LABEL (values unquoted; ENV's old "KEY value" form too; ARG without a value: null).</summary>
    public static IReadOnlyList<(string Key, string? Value)> Pairs(DockerfileInstruction instruction)
    {
        var tokens = Tokens(instruction.Arguments);
        if (instruction.Keyword == "ENV" && tokens.Count >= 2 && !tokens[0].Contains('='))
            return [(tokens[0], string.Join(' ', tokens.Skip(1)))];
        return tokens.Select(x => x.IndexOf('=') is var equals and >= 0 ? (x[..equals], (string?)x[(equals + 1)..]) : (x, null)).ToList();
    }

    /// <summary>Splits on blanks outside double quotes and removes the quotes.</summary>
    public static IReadOnlyList<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var token = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                if (any)
                    tokens.Add(token.ToString());
                token.Clear();
                any = false;
            }
            else
            {
                token.Append(c);
                any = true;
            }
        }
        if (any)
            tokens.Add(token.ToString());
        return tokens;
    }
}
