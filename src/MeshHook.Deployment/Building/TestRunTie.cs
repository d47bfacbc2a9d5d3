using System.Globalization;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Building;

/// <summary>
/// Ties everything a test run starts to the build that runs it, with the mechanism the test projects use among
/// themselves (src/workers/testing/test-run-owner.mjs): the build reaps what dead runs left, becomes the owner
/// (MESHHOOK_TEST_OWNER=&lt;pid&gt;:&lt;start time&gt;, given to each test command) and starts a detached guard that
/// kills every process carrying its mark once the build is gone. Test hosts claim their own runs below it, but their
/// initial environment keeps the build's mark, so a build killed with SIGKILL takes its test hosts with it, and each
/// host's guard then takes its fixtures. Only the Test target uses this: real deploys never carry the mark.
/// </summary>
public sealed class TestRunTie(string script)
{
    public const string Variable = "MESHHOOK_TEST_OWNER";

    /// <summary>Claims the run for this process; returns the environment to give every test command.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> ClaimAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        await RunAsync(tools, cancellationToken, "reap");
        var owner = await RunAsync(tools, cancellationToken, "identity", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (owner.Length == 0)
            throw new UserFacingException($"{script} could not read this process's start time from /proc: test processes cannot be tied to the run.");
        await RunAsync(tools, cancellationToken, "watch", owner);
        return new Dictionary<string, string?> { [Variable] = owner };
    }

    async Task<string> RunAsync(ToolRunner tools, CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await tools.RunAsync(new ToolCommand("node", [script, .. arguments])
        {
            // The helper itself, and the guard it starts, must not carry a mark: a guard would otherwise count itself among
            // what it kills.
            Environment = new Dictionary<string, string?> { [Variable] = null, ["NODE_OPTIONS"] = null },
            LogOutput = false,
            Timeout = TimeSpan.FromSeconds(60), // bounds a hang only (reaping reads /proc a few times)
            InstallHint = "Node.js 20 ties test processes to the test run.",
        }, cancellationToken);
        return result.StandardOutput.Trim();
    }
}
