using MeshHook.Tooling;

namespace MeshHook.Build.Engine;

/// <summary>
/// The state of the running build that NUKE exposes statically (RootDirectory, Host, IsLocalBuild...). Kept per logical
/// flow (AsyncLocal) so that several builds can run in one process, as the engine's own tests do.
/// </summary>
public sealed class BuildContext
{
    static readonly AsyncLocal<BuildContext?> Current_ = new();
    static readonly AsyncLocal<CancellationToken?> TargetToken = new();

    public required AbsolutePath RootDirectory { get; init; }
    public required Host Host { get; init; }
    public required BuildLog Log { get; init; }
    public required SecretMasker Masker { get; init; }
    public required ToolRunner Tools { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public required TimeProvider Time { get; init; }
    public required CancellationToken BuildCancellation { get; init; }

    public AbsolutePath TemporaryDirectory => RootDirectory / ".nuke" / "temp";

    /// <summary>The token the current target should observe (assured targets run on after a cancellation with a fresh one).</summary>
    public CancellationToken CancellationToken => TargetToken.Value ?? BuildCancellation;

    public static BuildContext Current =>
        Current_.Value ?? throw new InvalidOperationException("No build is running on this flow; build state is available only inside Execute<T>.");

    public static BuildContext? CurrentOrNull => Current_.Value;

    internal static void Set(BuildContext? context) => Current_.Value = context;

    internal static void SetTargetToken(CancellationToken? token) => TargetToken.Value = token;
}
