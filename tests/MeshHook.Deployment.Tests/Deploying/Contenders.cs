using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>
/// Starts several MeshHook.Contender processes that begin together (each says it is ready, then all get one go signal)
/// and waits for them, each bounded by a timeout; all are killed when the test fails or is cancelled.
/// </summary>
internal static class Contenders
{
    internal static string Assembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var assembly = Path.Combine(RepositoryFiles.Root, "tests", "MeshHook.Contender", "bin", configuration, "net10.0", "MeshHook.Contender.dll");
            Assert.True(File.Exists(assembly), $"{assembly} is missing: build the solution first (./build.sh Compile).");
            return assembly;
        }
    }

    /// <summary>Runs one contender per argument list (the work folder and each name must match what the arguments say).</summary>
    public static async Task<IReadOnlyList<ToolResult>> RunTogetherAsync(string work, IReadOnlyList<string[]> contenders, CancellationToken cancellationToken)
    {
        var assembly = Assembly;
        Directory.CreateDirectory(work);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runner = new ToolRunner(new SecretMasker());
        var runs = contenders
            .Select(arguments => runner.RunAsync(new ToolCommand("dotnet", [assembly, .. arguments])
            {
                Timeout = TimeSpan.FromSeconds(90), ThrowOnFailure = false, LogOutput = false,
            }, stop.Token))
            .ToList();
        try
        {
            var ready = Path.Combine(work, "ready");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!(Directory.Exists(ready) && Directory.GetFiles(ready).Length == contenders.Count))
            {
                if (runs.FirstOrDefault(x => x.IsCompleted) is { } early)
                    Assert.Fail("A contender ended before the start: " + string.Join('\n', (await early).Output.Select(x => x.Text)));
                Assert.True(DateTime.UtcNow < deadline, "The contenders were not all ready within 60 s.");
                await Task.Delay(5, cancellationToken);
            }
            File.WriteAllText(Path.Combine(work, "go"), "");
            return await Task.WhenAll(runs);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var run in runs)
            {
                try
                {
                    await run;
                }
                catch (OperationCanceledException)
                {
                    // Killed because the test failed or was cancelled.
                }
            }
        }
    }

    public static string Describe(IEnumerable<ToolResult> results) =>
        string.Join('\n', results.Select((x, i) => $"contender {i}: exit {x.ExitCode}\n  " + string.Join("\n  ", x.Output.Select(l => l.Text))));
}
