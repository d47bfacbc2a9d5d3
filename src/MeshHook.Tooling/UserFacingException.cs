namespace MeshHook.Tooling;

/// <summary>
/// A failure whose message is written for the person running the build or deploy (what is wrong and how to fix it):
/// shown as is, without a stack trace. Every library of ours derives its expected failures from it.
/// </summary>
public class UserFacingException(string message, Exception? inner = null) : Exception(message, inner);
