using System.Collections.Concurrent;
using System.Diagnostics;

namespace MeshHook.Tooling.Tests;

/// <summary>Collects what a <see cref="ToolRunner"/> passes to its sink.</summary>
sealed class RecordingSink : IToolOutputSink
{
    readonly ConcurrentQueue<(ToolCommand Command, OutputLine Line)> _lines = new();

    public IReadOnlyList<(ToolCommand Command, OutputLine Line)> Entries => _lines.ToArray();

    public IReadOnlyList<OutputLine> Lines => _lines.Select(x => x.Line).ToArray();

    public void Write(ToolCommand command, OutputLine line) => _lines.Enqueue((command, line));
}

/// <summary>A fresh directory under the temp path, deleted on dispose.</summary>
sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("meshhook-tooling-tests-").FullName;
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file, optionally marked executable (user/group/other).</summary>
    public string WriteFile(string name, string content, bool executable = false)
    {
        var file = Combine(name);
        File.WriteAllText(file, content.ReplaceLineEndings("\n"));
        if (OperatingSystem.IsWindows())
            return file;
        File.SetUnixFileMode(file, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
              UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

static class ProcessProbe
{
    /// <summary>
    /// Only bounds a hang: the pid file is the child's signal that it runs, and a busy machine may take many seconds to
    /// start a shell, so this is no budget.
    /// </summary>
    public static readonly TimeSpan PidFileHangBound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads a pid a child wrote to a file, waiting (up to <see cref="PidFileHangBound"/>) for the file to appear with a
    /// complete line.
    /// </summary>
    public static async Task<int> ReadPidAsync(string file, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (File.Exists(file))
            {
                var text = await File.ReadAllTextAsync(file, cancellationToken);
                if (text.EndsWith('\n') && int.TryParse(text.Trim(), out var pid))
                    return pid;
            }
            if (stopwatch.Elapsed > PidFileHangBound)
                throw new TimeoutException($"No pid was written to {file} within {PidFileHangBound.TotalSeconds} s.");
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// True while the process runs. A killed process that was reparented to a non-reaping init may linger as a
    /// zombie (state Z): it no longer runs and holds nothing but its pid, so it counts as gone.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ...": the state follows the last ')' since comm may contain spaces or parentheses.
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Waits up to <paramref name="limit"/> for the process to be gone; true when it is.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan limit, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (stopwatch.Elapsed > limit)
                return false;
            await Task.Delay(20, cancellationToken);
        }
        return true;
    }

    /// <summary>Best-effort cleanup so a failing test does not leave a sleeper behind.</summary>
    public static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}
