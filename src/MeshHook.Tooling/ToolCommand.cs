namespace MeshHook.Tooling;

/// <summary>
/// One run of an external program, described as data: the executable and its arguments as an array (never a shell
/// string), so a command can be printed, compared in tests and executed by the one <see cref="ToolRunner"/>.
/// </summary>
public sealed record ToolCommand(string Executable, IReadOnlyList<string> Arguments)
{
    public ToolCommand(string executable, params string[] arguments)
        : this(executable, (IReadOnlyList<string>)arguments)
    {
    }

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set for the child; a null value removes the variable from the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// The key variables (<see cref="KeyVariables"/>) this program needs: only these are passed on from the build's
    /// environment; every other key variable is removed from the child's environment (a variable set in
    /// <see cref="Environment"/> is passed as given).
    /// </summary>
    public IReadOnlyCollection<string> PassKeyVariables { get; init; } = [];

    /// <summary>
    /// The variables that hold (or point at) the keys of MeshHook's encrypted secrets and parameters. A child program
    /// has no use for them (npm lifecycle scripts, the release processes), so the runner does not pass them on.
    /// </summary>
    public static IReadOnlyList<string> KeyVariables { get; } =
        ["MESHHOOK_SECRETS_KEY", "MESHHOOK_SECRETS_KEY_FILE", "MESHHOOK_PARAMETERS_KEY", "MESHHOOK_PARAMETERS_KEY_FILE"];

    /// <summary>Stop the program (its whole process tree) after this long; null waits indefinitely.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// On timeout or cancellation the program's process group gets SIGTERM, then this long to finish, then SIGKILL.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Text written to the program's standard input, which is then closed. Null: no input (closed at once).</summary>
    public string? StandardInput { get; init; }

    /// <summary>Pass each output line to the sink while the program runs (false: captured only).</summary>
    public bool LogOutput { get; init; } = true;

    /// <summary>A non-zero exit throws <see cref="ToolExitException"/>; false returns the result for the caller to judge.</summary>
    public bool ThrowOnFailure { get; init; } = true;

    /// <summary>Said when the executable is missing: what to install and how.</summary>
    public string? InstallHint { get; init; }

    public ToolCommand WithArguments(params string[] more) => this with { Arguments = [.. Arguments, .. more] };

    /// <summary>Commands are equal when they would run the same way (arguments and environment compared by content).</summary>
    public bool Equals(ToolCommand? other) =>
        other is not null && Executable == other.Executable && Arguments.SequenceEqual(other.Arguments) &&
        WorkingDirectory == other.WorkingDirectory && Timeout == other.Timeout && StopGrace == other.StopGrace && StandardInput == other.StandardInput &&
        LogOutput == other.LogOutput && ThrowOnFailure == other.ThrowOnFailure && InstallHint == other.InstallHint &&
        PassKeyVariables.Order(StringComparer.Ordinal).SequenceEqual(other.PassKeyVariables.Order(StringComparer.Ordinal)) &&
        Environment.Count == other.Environment.Count &&
        Environment.All(x => other.Environment.TryGetValue(x.Key, out var value) && value == x.Value);

    public override int GetHashCode() => HashCode.Combine(Executable, Arguments.Count, WorkingDirectory);

    /// <summary>The command line as a person would type it, each argument quoted where needed (for display only).</summary>
    public string ToDisplayString() =>
        string.Join(' ', new[] { Executable }.Concat(Arguments).Select(Quote));

    static string Quote(string argument)
    {
        if (argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@+,%".Contains(c)))
            return argument;
        return "'" + argument.Replace("'", "'\\''") + "'";
    }
}
