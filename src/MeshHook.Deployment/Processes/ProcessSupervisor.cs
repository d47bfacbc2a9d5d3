using System.Reflection;
using System.Text.Json;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Processes;

/// <summary>
/// Starts programs detached (they outlive the build), remembers them in <c>run/&lt;name&gt;.json</c>, and stops them
/// gracefully: SIGTERM to the process group, a grace period for in-flight work, then SIGKILL.
/// </summary>
public sealed class ProcessSupervisor(string stateDirectory, ToolRunner tools, TimeProvider time)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string RunDirectory => Path.Combine(stateDirectory, "run");
    public string LogDirectory => Path.Combine(stateDirectory, "shared", "logs");

    string RecordPath(string name) => Path.Combine(RunDirectory, name + ".json");

    public string LogFile(string name) => Path.Combine(LogDirectory, name + ".log");

    string ExitFile(string name) => Path.Combine(RunDirectory, name + ".exit");

    public async Task<ProcessRecord> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        // The state folder and shared/ are the owner's only (0700): logs and the env file live below them.
        PrivateDirectory.Ensure(stateDirectory);
        PrivateDirectory.Ensure(RunDirectory);
        PrivateDirectory.Ensure(Path.GetDirectoryName(LogDirectory)!);
        PrivateDirectory.Ensure(LogDirectory);
        var launcher = WriteLauncher();
        File.Delete(ExitFile(spec.Name));
        var arguments = new List<string> { launcher, "--log", LogFile(spec.Name), "--exit-file", ExitFile(spec.Name) };
        if (spec.EnvironmentFile is not null)
            arguments.AddRange(["--env-file", spec.EnvironmentFile]);
        // Names only: the launcher masks these keys' values (read from the env file) in the program's log.
        foreach (var key in spec.MaskedKeys)
            arguments.AddRange(["--mask", key]);
        if (spec.WorkingDirectory is not null)
            arguments.AddRange(["--cwd", spec.WorkingDirectory]);
        foreach (var (key, value) in spec.Settings)
            arguments.AddRange(["--set", $"{key}={value}"]);
        arguments.Add("--");
        arguments.Add(spec.Program);
        arguments.AddRange(spec.Arguments);

        var result = await tools.RunAsync(new ToolCommand("node", arguments)
        {
            LogOutput = false,
            Timeout = TimeSpan.FromSeconds(30),
            InstallHint = "The local environment starts its processes with Node.js 20 or later: install Node 20 LTS.",
        }, cancellationToken);
        if (!int.TryParse(result.StandardOutput.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            throw new UserFacingException($"Starting {spec.Name} did not report a process id (the launcher printed '{result.StandardOutput.Trim()}').");
        var identity = ProcessIdentity.Of(pid)
                       ?? throw new UserFacingException($"{spec.Name} exited right after it started ({Exited(spec.Name) ?? "no exit status"}). " +
                                                        $"Last lines of {LogFile(spec.Name)}:\n{Tail(spec.Name)}");
        var record = new ProcessRecord(spec.Name, pid, identity.StartTicks, spec.Release, spec.Port, LogFile(spec.Name), time.GetUtcNow());
        var temporary = RecordPath(spec.Name) + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(record, Json), cancellationToken);
        File.Move(temporary, RecordPath(spec.Name), overwrite: true);
        return record;
    }

    public ProcessRecord? Find(string name)
    {
        try
        {
            return File.Exists(RecordPath(name)) ? JsonSerializer.Deserialize<ProcessRecord>(File.ReadAllText(RecordPath(name)), Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public IReadOnlyList<ProcessRecord> All() =>
        Directory.Exists(RunDirectory)
            ? Directory.GetFiles(RunDirectory, "*.json").Select(x => Find(Path.GetFileNameWithoutExtension(x))).OfType<ProcessRecord>().ToList()
            : [];

    /// <summary>
    /// SIGTERM to the process group, wait up to <paramref name="grace"/> for the whole group to finish its work, then SIGKILL
    /// to whatever of the group is left, whether or not its leader is still alive (a leader that exits at SIGTERM must not
    /// leave a child behind that ignores it). Returns once the group is gone.
    /// </summary>
    public async Task StopAsync(string name, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (Find(name) is { } record)
        {
            if (ProcessGroup.Any(record))
            {
                ProcessGroup.Signal(record, Sigterm);
                var deadline = time.GetUtcNow() + grace;
                while (ProcessGroup.Any(record) && time.GetUtcNow() < deadline)
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
            }
            if (ProcessGroup.Any(record))
            {
                ProcessGroup.Signal(record, Sigkill);
                // SIGKILL cannot be ignored; waiting for it to land keeps the ports and files free for what comes next.
                var killed = time.GetUtcNow() + TimeSpan.FromSeconds(10);
                while (ProcessGroup.Any(record) && time.GetUtcNow() < killed)
                    await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            }
        }
        if (File.Exists(RecordPath(name)))
            File.Delete(RecordPath(name));
    }

    /// <summary>
    /// How a started program ended, as its launcher recorded it ("node exited with code 3", "... was stopped by SIGKILL"),
    /// or null while it runs (or when no launcher saw it end).
    /// </summary>
    public string? Exited(string name)
    {
        var file = ExitFile(name);
        return File.Exists(file) ? tools.Masker.Apply(File.ReadAllText(file).Trim()) : null;
    }

    /// <summary>The last lines of a process's log, masked (they end up in error messages and the journal).</summary>
    public string Tail(string name, int lines = 20)
    {
        var file = LogFile(name);
        if (!File.Exists(file))
            return "  (no log)";
        var all = File.ReadAllLines(file);
        return tools.Masker.Apply(string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)).Select(x => "  " + x)));
    }

    string WriteLauncher()
    {
        var path = Path.Combine(RunDirectory, "launch.mjs");
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("MeshHook.Deployment.Processes.launch.mjs")
                             ?? throw new InvalidOperationException("The launcher script is not embedded in MeshHook.Deployment.");
        using var reader = new StreamReader(resource);
        var content = reader.ReadToEnd();
        if (!File.Exists(path) || File.ReadAllText(path) != content)
            File.WriteAllText(path, content);
        return path;
    }

    const int Sigterm = 15, Sigkill = 9;
}
