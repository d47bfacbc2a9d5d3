namespace MeshHook.Build.Engine;

/// <summary>Thrown by build code to fail a target with a message meant for the user (no stack trace in the log).</summary>
public sealed class TargetFailedException(string message) : Exception(message);
