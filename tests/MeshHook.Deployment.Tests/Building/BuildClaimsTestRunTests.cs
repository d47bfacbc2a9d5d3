using MeshHook.Deployment.Building;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Building;

/// <summary>The build's own claim of a test run: it owns the mark its test commands get, and a guard watches it.</summary>
public sealed class BuildClaimsTestRunTests
{
    [Fact]
    public async Task Claiming_makes_this_process_the_owner_and_starts_a_guard_for_it()
    {
        var tie = new MeshHookSources(RepositoryFiles.Root, Path.Combine(RepositoryFiles.Root, "artifacts")).TestRunTie;

        var environment = await tie.ClaimAsync(new ToolRunner(new SecretMasker()), TestContext.Current.CancellationToken);

        var owner = Assert.Single(environment, x => x.Key == TestRunTie.Variable).Value;
        Assert.Matches($@"^{Environment.ProcessId}:\d+$", owner);
        // The guard: a detached node process watching exactly this owner (it kills what carries the mark once we are gone).
        var guards = Directory.EnumerateDirectories("/proc")
            .Select(x => File.Exists(Path.Combine(x, "cmdline")) ? TryRead(Path.Combine(x, "cmdline")) : "")
            .Where(x => x.Contains("test-run-owner.mjs\0guard\0" + owner, StringComparison.Ordinal));
        Assert.NotEmpty(guards);
    }

    static string TryRead(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return ""; // exited meanwhile
        }
    }
}
