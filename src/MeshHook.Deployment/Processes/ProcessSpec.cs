namespace MeshHook.Deployment.Processes;

/// <summary>
/// A long-running program to start detached: its name (also its record and log), command, working directory, the 0600
/// env file holding configuration and secrets (never on the command line), and plain per-process settings.
/// </summary>
public sealed record ProcessSpec(string Name, string Program, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }
    public string? EnvironmentFile { get; init; }
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    public string? Release { get; init; }
    public int? Port { get; init; }

    /// <summary>Keys of <see cref="EnvironmentFile"/> whose values are secrets: masked in the program's log.</summary>
    public IReadOnlyList<string> MaskedKeys { get; init; } = [];

    public string Describe() =>
        $"{Program} {string.Join(' ', Arguments)}" +
        (Settings.Count == 0 ? "" : " with " + string.Join(' ', Settings.Select(x => $"{x.Key}={x.Value}"))) +
        (EnvironmentFile is null ? "" : $" and {Path.GetFileName(EnvironmentFile)}");
}
