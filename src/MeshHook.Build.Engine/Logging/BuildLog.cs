using MeshHook.Tooling;

namespace MeshHook.Build.Engine;

/// <summary>
/// The build's log: every line is masked, formatted by the host and written whole under a lock, so output of targets
/// running in parallel never interleaves inside a line. Lines are prefixed with their target when targets run in
/// parallel, or buffered per target when the host prefers that (GitHub Actions groups).
/// </summary>
public sealed class BuildLog : IToolOutputSink
{
    static readonly AsyncLocal<string?> CurrentTargetName = new();

    readonly TextWriter _output;
    readonly SecretMasker _masker;
    readonly object _gate = new();
    readonly Dictionary<string, List<string>> _buffers = new();

    public BuildLog(TextWriter output, SecretMasker masker, Host host, Verbosity verbosity)
    {
        _output = output;
        _masker = masker;
        Host = host;
        Verbosity = verbosity;
        // The host must learn of a secret before any line could contain it (GitHub: ::add-mask::), so bypass masking.
        masker.SecretRegistered += value => WriteRaw(host.FormatSecretRegistration(value));
    }

    public Host Host { get; }
    public Verbosity Verbosity { get; set; }

    /// <summary>Prefix lines with their target (set while targets may run concurrently).</summary>
    public bool PrefixTargets { get; set; }

    /// <summary>The target whose action is running on this logical flow (null outside targets).</summary>
    public static string? CurrentTarget
    {
        get => CurrentTargetName.Value;
        internal set => CurrentTargetName.Value = value;
    }

    public int PrefixWidth { get; set; }

    public void Write(LogLevel level, string message)
    {
        if (!IsEnabled(level))
            return;
        var target = CurrentTarget;
        foreach (var line in _masker.Apply(message).Replace("\r\n", "\n").Split('\n'))
        {
            var formatted = Host.FormatLine(level, line);
            if (PrefixTargets && target is not null && !Host.BuffersParallelTargets)
                formatted = target.PadRight(PrefixWidth) + " | " + formatted;
            WriteLine(target, formatted);
        }
    }

    public bool IsEnabled(LogLevel level) => level switch
    {
        LogLevel.Error => true,
        LogLevel.Warning => Verbosity >= Verbosity.Minimal,
        LogLevel.Information => Verbosity >= Verbosity.Normal,
        _ => Verbosity >= Verbosity.Verbose,
    };

    /// <summary>Writes lines that are not messages (headers, summary), masked, outside any buffering.</summary>
    public void WriteBlock(string text)
    {
        lock (_gate)
        {
            _output.Write(_masker.Apply(text));
            _output.Flush();
        }
    }

    void IToolOutputSink.Write(ToolCommand command, OutputLine line) =>
        Write(LogLevel.Information, line.Text);

    internal void BeginBuffer(string target)
    {
        lock (_gate)
            _buffers[target] = [];
    }

    internal IReadOnlyList<string> EndBuffer(string target)
    {
        lock (_gate)
        {
            var lines = _buffers.GetValueOrDefault(target) ?? [];
            _buffers.Remove(target);
            return lines;
        }
    }

    void WriteLine(string? target, string line)
    {
        lock (_gate)
        {
            if (target is not null && _buffers.TryGetValue(target, out var buffer))
            {
                buffer.Add(line);
                return;
            }
            _output.WriteLine(line);
            _output.Flush();
        }
    }

    void WriteRaw(string? text)
    {
        if (text is null)
            return;
        lock (_gate)
        {
            _output.WriteLine(text);
            _output.Flush();
        }
    }
}
