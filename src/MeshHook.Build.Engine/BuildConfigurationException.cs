namespace MeshHook.Build.Engine;

/// <summary>
/// A problem with how the build was invoked or defined (unknown target, bad parameter, cycle...): reported as a clear
/// message without a stack trace, and nothing runs.
/// </summary>
public sealed class BuildConfigurationException(string message) : Exception(message);
