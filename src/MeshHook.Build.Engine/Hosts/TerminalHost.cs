namespace MeshHook.Build.Engine;

public sealed class TerminalHost(bool colors) : Host
{
    public override HostKind Kind => HostKind.Terminal;

    public override string FormatLine(LogLevel level, string line) => (colors, level) switch
    {
        (true, LogLevel.Error) => $"\e[31m{line}\e[0m",
        (true, LogLevel.Warning) => $"\e[33m{line}\e[0m",
        (true, LogLevel.Debug) => $"\e[90m{line}\e[0m",
        _ => line,
    };

    public override string TargetHeader(string target)
    {
        var rule = new string('═', Math.Max(target.Length, 8));
        return $"{rule}{Environment.NewLine}{target}{Environment.NewLine}{rule}";
    }
}
