using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Tools;

/// <summary>Runs a test command into a fresh results directory, prints the counts from its TRX reports, fails on any failure.</summary>
public static class TestRun
{
    public static async Task<TestResults> RunAsync(ToolRunner tools, ToolCommand command, string resultsDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(resultsDirectory))
            Directory.Delete(resultsDirectory, recursive: true);
        Directory.CreateDirectory(resultsDirectory);

        var result = await tools.RunAsync(command, cancellationToken);
        var results = TestResults.ReadDirectory(resultsDirectory);
        Log.Information($"Tests: {results}");
        foreach (var test in results.FailedTests)
            Log.Error($"  failed: {test}");
        if (results.Failed > 0)
            throw new TargetFailedException($"{results.Failed} test(s) failed ({results}).");
        if (!result.Succeeded)
            throw new ToolExitException(result, tools.Masker.Apply(command.ToDisplayString()));
        if (results.Total == 0)
            throw new TargetFailedException("No test ran: check that the test projects are in the solution.");
        return results;
    }
}
