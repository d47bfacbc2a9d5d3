using System.Diagnostics;

namespace MeshHook.Tooling;

/// <summary>
/// The one runner for every external program: argument arrays, working directory, environment, timeout, cancellation
/// that kills the whole process tree, live masked output to a sink, captured output returned, and on failure an error
/// showing the masked command line and the last lines of output.
/// </summary>
public sealed class ToolRunner(SecretMasker masker, IToolOutputSink? sink = null)
{
    public SecretMasker Masker => masker;

    public ToolResult Run(ToolCommand command, CancellationToken cancellationToken = default) =>
        RunAsync(command, cancellationToken).GetAwaiter().GetResult();

    public async Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        var executable = ExecutableLocator.Find(command.Executable, command.Environment)
                         ?? throw new ToolNotFoundException(command.Executable, command.InstallHint);
        var commandLine = MaskedCommandLine(command);
        if (command.WorkingDirectory is { } workingDirectory && !Directory.Exists(workingDirectory))
            throw new ToolStartException($"Cannot run '{commandLine}': its working directory {workingDirectory} does not exist.");

        // The tool gets a process group of its own (see ProcessGroups): a terminal's Ctrl+C reaches the build, not it.
        var launcher = ProcessGroups.Launcher;
        if (launcher is not null && !ProcessGroups.IsExecutable(executable))
            throw new ToolNotFoundException(command.Executable,
                string.Join(' ', new[] { command.InstallHint, "(it is not executable: Permission denied)" }.Where(x => x is not null)));
        var startInfo = new ProcessStartInfo(launcher?[0] ?? executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in launcher is null ? command.Arguments : [.. launcher.Skip(1), executable, .. command.Arguments])
            startInfo.ArgumentList.Add(argument);
        // Keys are not inherited: a child (or a dependency's install script) has no business with them.
        foreach (var name in ToolCommand.KeyVariables.Except(command.PassKeyVariables, StringComparer.Ordinal))
            startInfo.Environment.Remove(name);
        foreach (var (name, value) in command.Environment)
        {
            if (value is null)
                startInfo.Environment.Remove(name);
            else
                startInfo.Environment[name] = value;
        }

        var output = new List<OutputLine>();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Receive(OutputKind.StandardOutput, e.Data);
        process.ErrorDataReceived += (_, e) => Receive(OutputKind.StandardError, e.Data);

        try
        {
            ProcessGroups.Start(process);
            ProcessGroups.Track(process);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new ToolNotFoundException(command.Executable, string.Join(' ', new[] { command.InstallHint, $"({exception.Message})" }.Where(x => x is not null)));
        }

        // The timeout and cancellation also cover writing the input: a program that never reads a large input would
        // otherwise block the write (full pipe) with nothing to stop it.
        using var timeout = command.Timeout is { } limit ? new CancellationTokenSource(limit) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var input = WriteInputAsync(process, command.StandardInput);
        try
        {
            await process.WaitForExitAsync(linked.Token);
            await input.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            await ProcessGroups.StopAsync(process, ownGroup: launcher is not null, command.StopGrace);
            // Let the readers drain what was written before the kill.
            process.WaitForExit(5_000);
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException($"Process '{commandLine}' was cancelled.", cancellationToken);
            throw new ToolTimeoutException(commandLine, command.Timeout!.Value, Snapshot());
        }
        finally
        {
            ProcessGroups.Untrack(process);
        }

        var result = new ToolResult(command, process.ExitCode, Snapshot(), stopwatch.Elapsed);
        if (!result.Succeeded && command.ThrowOnFailure)
            throw new ToolExitException(result, commandLine);
        return result;

        void Receive(OutputKind kind, string? data)
        {
            if (data is null)
                return;
            var line = new OutputLine(kind, masker.Apply(data));
            lock (output)
                output.Add(line);
            if (command.LogOutput)
                sink?.Write(command, line);
        }

        IReadOnlyList<OutputLine> Snapshot()
        {
            lock (output)
                return output.ToArray();
        }
    }

    static async Task WriteInputAsync(Process process, string? input)
    {
        try
        {
            if (input is not null)
                await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading its input; its exit code tells the rest.
        }
        catch (ObjectDisposedException)
        {
            // The run ended (killed on timeout or cancellation) while the input was still being written.
        }
    }

    /// <summary>
    /// The display command line with secrets masked. Each argument is masked before it is quoted for display, since
    /// quoting can break a value apart (a single quote becomes <c>'\''</c>) so that the masker no longer finds it.
    /// </summary>
    string MaskedCommandLine(ToolCommand command)
    {
        var masked = command with
        {
            Executable = masker.Apply(command.Executable),
            Arguments = command.Arguments.Select(masker.Apply).ToArray(),
        };
        return masker.Apply(masked.ToDisplayString());
    }

    /// <summary>
    /// Kills every tool still running in this process (their whole groups) at once: for a forced exit, such as a second
    /// Ctrl+C, after which nobody is left to stop them.
    /// </summary>
    public static void KillAllRunning() => ProcessGroups.KillAll();
}
