namespace MeshHook.Tooling;

/// <summary>Base of every failure of an external program; messages never contain unmasked secrets.</summary>
public abstract class ToolException(string message, Exception? inner = null) : UserFacingException(message, inner);

/// <summary>The executable is not on PATH (or the given path does not exist).</summary>
public sealed class ToolNotFoundException(string executable, string? installHint)
    : ToolException($"'{executable}' was not found on PATH." + (installHint is null ? string.Empty : " " + installHint))
{
    public string Executable { get; } = executable;
}

/// <summary>The program could not be started for a reason other than a missing executable.</summary>
public sealed class ToolStartException(string message) : ToolException(message);

/// <summary>The program exited with a non-zero code; the message shows the masked command line and its last lines.</summary>
public sealed class ToolExitException(ToolResult result, string maskedCommandLine, int tailLines = 20)
    : ToolException(Describe(result, maskedCommandLine, tailLines))
{
    public ToolResult Result { get; } = result;

    static string Describe(ToolResult result, string commandLine, int tailLines)
    {
        var tail = result.LastLines(tailLines).ToList();
        var text = $"Process '{commandLine}' exited with code {result.ExitCode}.";
        if (tail.Count > 0)
            text += $"{Environment.NewLine}Last {tail.Count} lines of its output:{Environment.NewLine}  " +
                    string.Join(Environment.NewLine + "  ", tail);
        return text;
    }
}

/// <summary>The program ran longer than its timeout; its process tree was killed.</summary>
public sealed class ToolTimeoutException(string maskedCommandLine, TimeSpan timeout, IReadOnlyList<OutputLine> output)
    : ToolException($"Process '{maskedCommandLine}' did not finish within {timeout.TotalSeconds:0.###} s and was killed." +
                    (output.Count == 0 ? string.Empty :
                        Environment.NewLine + "Last lines of its output:" + Environment.NewLine + "  " +
                        string.Join(Environment.NewLine + "  ", output.Skip(Math.Max(0, output.Count - 20)).Select(x => x.Text))))
{
    public TimeSpan Timeout { get; } = timeout;
}
