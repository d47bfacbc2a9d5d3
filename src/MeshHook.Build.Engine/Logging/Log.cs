namespace MeshHook.Build.Engine;

/// <summary>Logging for build code (as NUKE's static Serilog Log): routed to the running build's log, masked.</summary>
public static class Log
{
    public static void Debug(string message) => Write(LogLevel.Debug, message);
    public static void Information(string message) => Write(LogLevel.Information, message);
    public static void Warning(string message) => Write(LogLevel.Warning, message);
    public static void Error(string message) => Write(LogLevel.Error, message);

    static void Write(LogLevel level, string message)
    {
        if (BuildContext.CurrentOrNull?.Log is { } log)
            log.Write(level, message);
        else
            Console.Error.WriteLine($"[{level}] {message}");
    }
}
