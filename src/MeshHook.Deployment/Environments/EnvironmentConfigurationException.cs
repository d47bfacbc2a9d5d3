using MeshHook.Tooling;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// An environment's settings cannot be used: unknown environment, missing or malformed environment.json, or values that
/// break its rules. <see cref="Errors"/> holds every problem found (each naming the file, line, column and key path).
/// </summary>
public sealed class EnvironmentConfigurationException : UserFacingException
{
    public EnvironmentConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public EnvironmentConfigurationException(string file, IReadOnlyList<string> errors)
        : base(errors.Count == 1
            ? errors[0]
            : $"{file} has {errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(x => "  " + x)))
    {
        File = file;
        Errors = errors;
    }

    /// <summary>The file the problems are in (relative to the repository), when they are in a file.</summary>
    public string? File { get; }

    public IReadOnlyList<string> Errors { get; }
}
