using System.Collections;

namespace MeshHook.Build.Engine;

/// <summary>Everything a build run takes from its process: arguments, environment, console, clock. Tests pass their own.</summary>
public sealed record BuildInvocation
{
    public required IReadOnlyList<string> Arguments { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public required string CurrentDirectory { get; init; }
    public TextWriter Output { get; init; } = Console.Out;
    public TextReader Input { get; init; } = Console.In;

    /// <summary>Standard input is a terminal: secrets are read without echo.</summary>
    public bool InputIsTerminal { get; init; }

    public bool Colors { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public CancellationToken CancellationToken { get; init; }
    public int ProcessorCount { get; init; } = System.Environment.ProcessorCount;

    /// <summary>Route Console.Out/Error of build code through the secret masker (the real process only).</summary>
    public bool CaptureConsole { get; init; }

    public static BuildInvocation FromProcess(CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>();
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        return new BuildInvocation
        {
            Arguments = System.Environment.GetCommandLineArgs().Skip(1).ToList(),
            Environment = environment,
            CurrentDirectory = Directory.GetCurrentDirectory(),
            InputIsTerminal = !Console.IsInputRedirected,
            Colors = !Console.IsOutputRedirected && !environment.ContainsKey("NO_COLOR"),
            CancellationToken = cancellationToken,
            CaptureConsole = true,
        };
    }
}
