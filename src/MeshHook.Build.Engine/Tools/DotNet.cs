using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Tools;

/// <summary>dotnet CLI commands as data (argument arrays) for the tool runner.</summary>
public static class DotNet
{
    static readonly IReadOnlyDictionary<string, string?> QuietEnvironment = new Dictionary<string, string?>
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_UI_LANGUAGE"] = "en",
    };

    public static ToolCommand Restore(string solution) =>
        Command("restore", solution, "-nologo");

    public static ToolCommand ToolRestore(string workingDirectory) =>
        Command("tool", "restore") with { WorkingDirectory = workingDirectory };

    public static ToolCommand Build(string solution, string configuration) =>
        Command("build", solution, "--no-restore", "-nologo", "--configuration", configuration, "-clp:NoSummary");

    /// <summary>
    /// Runs every test project of the solution (Microsoft Testing Platform), one xUnit TRX report per project in
    /// <paramref name="resultsDirectory"/>. A failing test does not throw: the caller reads the reports and decides.
    /// </summary>
    public static ToolCommand Test(string solution, string configuration, string resultsDirectory) =>
        Command("test", "--solution", solution, "--no-build", "--configuration", configuration,
            "--results-directory", resultsDirectory, "--report-xunit-trx", "--no-progress") with { ThrowOnFailure = false };

    static ToolCommand Command(params string[] arguments) =>
        new ToolCommand("dotnet", arguments) { Environment = QuietEnvironment, InstallHint = "Install the .NET SDK named in global.json." };
}
