using MeshHook.Tooling;

namespace MeshHook.Deployment.Building;

/// <summary>The edge proxy (src/MeshHook.Edge) built into artifacts/build/edge, skipped when its sources are unchanged.</summary>
public sealed class EdgeBuild(string root, string artifactsDirectory)
{
    static readonly IReadOnlySet<string> Generated = new HashSet<string> { "bin", "obj" };

    public string Project => Path.Combine(root, "src", "MeshHook.Edge", "MeshHook.Edge.csproj");
    public string OutputDirectory => Path.Combine(artifactsDirectory, "build", "edge");
    public string Assembly => Path.Combine(OutputDirectory, "MeshHook.Edge.dll");
    string Stamp => OutputDirectory + ".inputs";

    string InputHash() => InputFingerprint.Compute(Path.GetDirectoryName(Project)!, Generated);

    public bool IsUpToDate() => File.Exists(Assembly) && File.Exists(Stamp) && File.ReadAllText(Stamp) == InputHash();

    public async Task BuildAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        var inputs = InputHash();
        await tools.RunAsync(new ToolCommand("dotnet", "build", Project, "--configuration", "Release", "--output", OutputDirectory, "-nologo", "-clp:NoSummary")
        {
            Timeout = TimeSpan.FromMinutes(5),
            Environment = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
        }, cancellationToken);
        await File.WriteAllTextAsync(Stamp, inputs, cancellationToken);
    }
}
