using System.Text;

namespace MeshHook.Tooling;

/// <summary>
/// Reads a secret value from standard input: typed at a terminal without echo, or all of piped input
/// (<c>printf %s "$VALUE" | ./build.sh Secrets --set NAME</c>, or <c>--set-secret NAME</c>). Never from the command line, which shell history and the
/// process list would keep.
/// </summary>
public static class SecretInput
{
    public static string ReadFromConsole(string name)
    {
        if (Console.IsInputRedirected)
            return ReadPiped(Console.In);

        var prompt = Console.Error;
        prompt.Write($"Value for {name} (not shown as you type; Enter ends it): ");
        prompt.Flush();
        var value = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
                break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (value.Length > 0)
                    value.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
                value.Append(key.KeyChar);
        }
        prompt.WriteLine();
        prompt.Flush();
        return value.ToString();
    }

    /// <summary>All of <paramref name="input"/> without the final line break(s) that echo and here-strings add.</summary>
    public static string ReadPiped(TextReader input) => input.ReadToEnd().TrimEnd('\r', '\n');
}
