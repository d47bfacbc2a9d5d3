namespace MeshHook.Tooling;

public enum OutputKind
{
    StandardOutput,
    StandardError,
}

/// <summary>One line a program wrote, with secrets already masked.</summary>
public readonly record struct OutputLine(OutputKind Kind, string Text);

public sealed record ToolResult(ToolCommand Command, int ExitCode, IReadOnlyList<OutputLine> Output, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    public string StandardOutput => Join(OutputKind.StandardOutput);

    public string StandardError => Join(OutputKind.StandardError);

    public IEnumerable<string> LastLines(int count) => Output.Skip(Math.Max(0, Output.Count - count)).Select(x => x.Text);

    string Join(OutputKind kind) => string.Join('\n', Output.Where(x => x.Kind == kind).Select(x => x.Text));
}
