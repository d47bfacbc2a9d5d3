namespace MeshHook.Build.Engine;

public enum Verbosity
{
    /// <summary>Errors and the summary.</summary>
    Quiet,

    /// <summary>Warnings, errors, target headers and the summary.</summary>
    Minimal,

    /// <summary>Everything but debug messages.</summary>
    Normal,

    /// <summary>Everything, including debug messages.</summary>
    Verbose,
}

public enum LogLevel
{
    Debug,
    Information,
    Warning,
    Error,
}
