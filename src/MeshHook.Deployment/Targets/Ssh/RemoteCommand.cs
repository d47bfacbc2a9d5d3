using System.Text;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// A program and its arguments to run on a host, as data: the only way this target runs anything remotely. The SSH
/// protocol carries one command line that the login shell parses, so <see cref="ToShell"/> quotes every word here and
/// nowhere else: a release id, path or value is always one argument, whatever characters it holds.
/// </summary>
public sealed partial record RemoteCommand(string Program, IReadOnlyList<string> Arguments)
{
    public RemoteCommand(string program, params string[] arguments) : this(program, (IReadOnlyList<string>)arguments)
    {
    }

    /// <summary>Variables set for the program only (through <c>env</c>, so they are arguments too, quoted the same way).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command line sent to the host: every word single-quoted for a POSIX shell.</summary>
    public string ToShell()
    {
        var words = new List<string>();
        if (Environment.Count > 0)
        {
            words.Add("env");
            // Names are checked (a name with '=' or a leading '-' would be read as something else); values may hold anything.
            foreach (var (name, value) in Environment)
            {
                if (!VariableName().IsMatch(name))
                    throw new ArgumentException($"'{name}' is not a variable name.", nameof(Environment));
                words.Add($"{name}={value}");
            }
        }
        words.Add(Program);
        words.AddRange(Arguments);
        return string.Join(' ', words.Select(ShellQuote.Word));
    }

    /// <summary>For plans and logs: readable, and the same quoting as what is sent.</summary>
    public string Describe() => ToShell();

    /// <summary>
    /// Several commands as one command line, joined by <c>&amp;&amp;</c>: they run in order in one round trip (one session,
    /// one login shell on the host) and the first that fails stops the rest, as if each were sent and checked on its own.
    /// Every word is still quoted by <see cref="ToShell()"/>.
    /// </summary>
    public static string ToShell(IReadOnlyList<RemoteCommand> commands)
    {
        if (commands.Count == 0)
            throw new ArgumentException("No command to run.", nameof(commands));
        return string.Join(" && ", commands.Select(x => x.ToShell()));
    }

    public override string ToString() => Describe();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial System.Text.RegularExpressions.Regex VariableName();
}

/// <summary>POSIX shell quoting of one word: inside single quotes nothing is special except the quote itself.</summary>
public static class ShellQuote
{
    public static string Word(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
            throw new ArgumentException("A NUL character cannot be passed to a remote command.", nameof(value));
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var character in value)
        {
            // 'it'\''s': close the quote, an escaped quote, reopen.
            if (character == '\'')
                text.Append("'\\''");
            else
                text.Append(character);
        }
        return text.Append('\'').ToString();
    }
}
