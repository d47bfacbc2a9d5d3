using System.Runtime.InteropServices;
using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Execution;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGHUP stop the build instead of ending the process: the first one cancels the build's token
/// (the tool runner stops running tools: SIGTERM to their process groups, a grace, SIGKILL), assured targets still run,
/// the summary is printed and the exit code is 130. A second one kills every running tool and exits 130 at once.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    readonly CancellationTokenSource _cancellation;
    readonly TextWriter _error;
    readonly PosixSignalRegistration[] _registrations;
    int _received;

    Interrupts(CancellationTokenSource cancellation, TextWriter error)
    {
        _cancellation = cancellation;
        _error = error;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
            // The terminal closed: the tools run in sessions of their own and would not get its SIGHUP.
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handle),
        ];
    }

    public static Interrupts Register(CancellationTokenSource cancellation, TextWriter error) => new(cancellation, error);

    void Handle(PosixSignalContext context)
    {
        // Never the runtime's default (end the process at once, leaving tools running and no summary).
        context.Cancel = true;
        var name = context.Signal == PosixSignal.SIGINT ? "Ctrl+C (SIGINT)" : context.Signal.ToString();
        if (Interlocked.Increment(ref _received) == 1)
        {
            Write($"{name} received: stopping the build. Running tools are stopped, assured targets still run. " +
                  "Interrupt again to exit at once.");
            // Off the signal thread: cancellation callbacks run synchronously, and a second signal must get through.
            _ = Task.Run(_cancellation.Cancel);
            return;
        }

        Write($"{name} received again: killing the running tools and exiting now.");
        ToolRunner.KillAllRunning();
        Environment.Exit(BuildRunner.Cancelled);
    }

    void Write(string message)
    {
        try
        {
            _error.WriteLine();
            _error.WriteLine(message);
            _error.Flush();
        }
        catch (IOException)
        {
            // The terminal is gone; stopping matters more than saying so.
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
