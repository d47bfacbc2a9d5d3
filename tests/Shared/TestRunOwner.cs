using System.Diagnostics;

namespace MeshHook.Testing;

/// <summary>
/// Ties every process this test process starts to it, through test-run-owner.mjs (copied next to the assembly; see that
/// file for the mechanism): marks the environment with MESHHOOK_TEST_OWNER=&lt;pid&gt;:&lt;start time&gt;, which every
/// child inherits, and starts a detached guard that kills the marked processes once this process is gone, however it
/// ends (kill -9 included). First it reaps what earlier, dead runs left. Opt-in: real deploys never carry the mark.
/// </summary>
public static class TestRunOwner
{
    public const string Variable = "MESHHOOK_TEST_OWNER";
    static readonly Lock Gate = new();
    static string? _claimed;

    public static string Script => Path.Combine(AppContext.BaseDirectory, "test-run-owner.mjs");

    /// <summary>Makes this process the owner of everything it starts from now on (idempotent). Returns the owner value.</summary>
    public static string? Claim()
    {
        lock (Gate)
        {
            if (_claimed is not null)
                return _claimed;
            try
            {
                Run("reap");
                var owner = Run("identity", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Environment.SetEnvironmentVariable(Variable, owner);
                Run("watch", owner);
                return _claimed = owner;
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // A safety net, not a test: say why it is missing and let the tests run.
                Console.Error.WriteLine($"warning: processes started by these tests are not tied to the test run: {exception.Message}");
                return null;
            }
        }
    }

    /// <summary>Runs test-run-owner.mjs with the given command (never marked itself); returns its trimmed output.</summary>
    public static string Run(params string[] arguments)
    {
        if (!File.Exists(Script))
            throw new InvalidOperationException($"{Script} is missing (the test project copies src/workers/testing/test-run-owner.mjs next to its assembly).");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Remove(Variable);
        start.Environment.Remove("NODE_OPTIONS");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Only bounds a hang (reaping reads /proc once per round): never reached on a healthy machine.
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"node test-run-owner.mjs {string.Join(' ', arguments)} did not finish within 60 s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node test-run-owner.mjs {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result.Trim()}");
        return output.Result.Trim();
    }
}
