using System.Collections.Concurrent;

namespace MeshHook.Build.Engine.Tests;

/// <summary>Runs a build class in-process against a throwaway root folder, capturing its output.</summary>
public sealed class BuildHarness : IDisposable
{
    public BuildHarness()
    {
        Root = Path.Combine(Path.GetTempPath(), "meshhook-engine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, ".nuke"));
        KeyFile = Path.Combine(Path.GetTempPath(), "meshhook-key-" + Guid.NewGuid().ToString("N"), "parameters.key");
        Environment["HOME"] = Path.GetDirectoryName(KeyFile)!;
        Environment["MESHHOOK_PARAMETERS_KEY_FILE"] = KeyFile;
    }

    public string Root { get; }
    public string KeyFile { get; }
    public Dictionary<string, string> Environment { get; } = new();

    public string NukeDirectory => Path.Combine(Root, ".nuke");

    public void WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public BuildOutcome<T> Run<T>(params string[] args) where T : NukeBuild, new() =>
        Run<T>(new RunOptions(), args);

    public BuildOutcome<T> Run<T>(RunOptions options, params string[] args) where T : NukeBuild, new()
    {
        var output = new StringWriter();
        T? build = null;
        var invocation = new BuildInvocation
        {
            Arguments = args,
            Environment = Environment,
            CurrentDirectory = options.CurrentDirectory ?? Root,
            Output = TextWriter.Synchronized(output),
            Input = new StringReader(options.Input ?? string.Empty),
            Time = options.Time ?? TimeProvider.System,
            CancellationToken = options.CancellationToken,
            ProcessorCount = 2,
        };
        var defaults = options.DefaultTargets ?? [];
        var exitCode = BuildRunner.Run(() => build = options.Factory is null ? new T() : (T)options.Factory(), defaults, invocation);
        return new BuildOutcome<T>(exitCode, output.ToString(), build);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
            Directory.Delete(Path.GetDirectoryName(KeyFile)!, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

public sealed record RunOptions
{
    public string? Input { get; init; }
    public string? CurrentDirectory { get; init; }
    public TimeProvider? Time { get; init; }
    public CancellationToken CancellationToken { get; init; }
    public IReadOnlyList<string>? DefaultTargets { get; init; }
    public Func<NukeBuild>? Factory { get; init; }
}

public sealed record BuildOutcome<T>(int ExitCode, string Output, T? Build) where T : NukeBuild
{
    public ExecutableTarget Target(string name) => Build!.ScheduledTargets.Single(x => x.Name == name);

    public ExecutionStatus Status(string name) => Target(name).Status;

    public IReadOnlyList<string> Plan => Build!.ScheduledTargets.Select(x => x.Name).ToList();
}

/// <summary>A base for test builds: records which target actions ran, in order.</summary>
public abstract class RecordingBuild : NukeBuild
{
    public ConcurrentQueue<string> Ran { get; } = new();

    public List<string> RanList => Ran.ToList();

    protected Action Record(string name) => () => Ran.Enqueue(name);
}
