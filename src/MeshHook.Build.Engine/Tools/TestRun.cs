using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Tools;

/// <summary>
/// A test run over several suites (dotnet test projects, node:test packages) into one results directory: every suite
/// runs even when an earlier one failed, then the counts of all reports are printed together and any failure fails.
/// </summary>
public sealed class TestRun
{
    readonly ToolRunner _tools;
    readonly string _resultsDirectory;
    readonly List<string> _failedCommands = [];
    readonly IReadOnlyDictionary<string, string?> _environment;

    TestRun(ToolRunner tools, string resultsDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        _tools = tools;
        _resultsDirectory = resultsDirectory;
        _environment = environment;
    }

    /// <summary>
    /// Starts with an empty results directory, so only this run's reports are counted. <paramref name="environment"/> is
    /// given to every suite's command (e.g. what ties the suites' processes to the run).
    /// </summary>
    public static TestRun Start(ToolRunner tools, string resultsDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (Directory.Exists(resultsDirectory))
            Directory.Delete(resultsDirectory, recursive: true);
        Directory.CreateDirectory(resultsDirectory);
        return new TestRun(tools, resultsDirectory, environment ?? new Dictionary<string, string?>());
    }

    public async Task RunAsync(ToolCommand command, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?>(command.Environment);
        foreach (var (name, value) in _environment)
            environment[name] = value;
        var result = await _tools.RunAsync(command with { ThrowOnFailure = false, Environment = environment }, cancellationToken);
        if (!result.Succeeded)
            _failedCommands.Add($"{_tools.Masker.Apply(command.ToDisplayString())} (exit code {result.ExitCode})");
    }

    /// <summary>Prints "Tests: N passed, N failed, N skipped"; fails on a failed test, a failed runner, or no test at all.</summary>
    public TestResults Complete()
    {
        var results = TestResults.ReadDirectory(_resultsDirectory);
        Log.Information($"Tests: {results}");
        foreach (var test in results.FailedTests)
            Log.Error($"  failed: {test}");
        if (results.Failed > 0)
            throw new TargetFailedException($"{results.Failed} test(s) failed ({results}).");
        if (_failedCommands.Count > 0)
            throw new TargetFailedException("A test runner failed without a failed test (a crash, a build error or a test host abort): " +
                                            string.Join("; ", _failedCommands));
        if (results.Total == 0)
            throw new TargetFailedException("No test ran: check that the test projects are in the solution.");
        return results;
    }
}
