using System.Diagnostics;
using System.Text;

namespace MeshHook.Build.Tests;

/// <summary>What a finished (or killed) process left behind.</summary>
internal sealed record ProcessResult(
    string Command, int ExitCode, string StdOut, string StdErr, bool TimedOut, TimeSpan Elapsed)
{
    public string Output => StdOut + StdErr;

    /// <summary>A readable account of the run, for assertion messages.</summary>
    public string Describe() =>
        $"command: {Command}{Environment.NewLine}" +
        $"exit code: {ExitCode}{(TimedOut ? " (TIMED OUT, process tree killed)" : "")}, elapsed {Elapsed.TotalSeconds:0.000} s{Environment.NewLine}" +
        $"--- stdout ---{Environment.NewLine}{StdOut}{Environment.NewLine}" +
        $"--- stderr ---{Environment.NewLine}{StdErr}";
}

/// <summary>
/// Starts a process from a file name and an argument list (never a shell string), captures both
/// streams, and kills the whole process tree when the timeout passes.
/// </summary>
internal static class TestProcess
{
    public static ProcessResult Run(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        Action<IDictionary<string, string?>>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Variables that `dotnet test` / MSBuild leave for their own children must not steer the
        // `dotnet build` that a bootstrap script starts.
        foreach (var key in startInfo.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
            {
                startInfo.Environment.Remove(key);
            }
        }
        environment?.Invoke(startInfo.Environment);

        var command = string.Join(' ', new[] { fileName }.Concat(startInfo.ArgumentList.Select(Quote)));
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var stdoutClosed = new ManualResetEventSlim();
        using var stderrClosed = new ManualResetEventSlim();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data, stdoutClosed);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data, stderrClosed);

        var clock = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = !process.WaitForExit(timeout);
        if (timedOut)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended in the meantime.
            }
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        var elapsed = clock.Elapsed;

        // A grandchild that outlives the process may hold the pipes open: do not wait for it for long.
        stdoutClosed.Wait(TimeSpan.FromSeconds(5));
        stderrClosed.Wait(TimeSpan.FromSeconds(5));

        var exitCode = process.HasExited ? process.ExitCode : -1;
        lock (stdout)
        {
            lock (stderr)
            {
                return new ProcessResult(command, exitCode, stdout.ToString(), stderr.ToString(), timedOut, elapsed);
            }
        }
    }

    private static void Append(StringBuilder buffer, string? line, ManualResetEventSlim closed)
    {
        if (line is null)
        {
            closed.Set();
            return;
        }
        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:+,@%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
