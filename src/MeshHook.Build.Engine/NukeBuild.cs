using System.Linq.Expressions;
using MeshHook.Build.Engine.Execution;
using MeshHook.Tooling;

namespace MeshHook.Build.Engine;

/// <summary>
/// The base of a build class, with NUKE's surface: <c>public static int Main() => Execute&lt;Build&gt;(x => x.Test);</c>,
/// targets as <see cref="Target"/> properties, parameters as <see cref="ParameterAttribute"/> members, lifecycle hooks.
/// </summary>
public abstract class NukeBuild : IBuildEvents
{
    public static AbsolutePath RootDirectory => BuildContext.Current.RootDirectory;

    /// <summary><c>.nuke/temp</c>: git-ignored scratch space of the build.</summary>
    public static AbsolutePath TemporaryDirectory => BuildContext.Current.TemporaryDirectory;

    public static Host Host => BuildContext.Current.Host;

    public static bool IsLocalBuild => Host.IsLocal;

    public static bool IsServerBuild => !IsLocalBuild;

    public static Verbosity Verbosity => BuildContext.Current.Log.Verbosity;

    /// <summary>Cancelled on Ctrl+C; pass it to long-running work (the tool runner kills processes when it fires).</summary>
    public static CancellationToken CancellationToken => BuildContext.Current.CancellationToken;

    /// <summary>The one runner for external programs, logging into the build's log with secrets masked.</summary>
    public static ToolRunner Tools => BuildContext.Current.Tools;

    public static SecretMasker SecretMasker => BuildContext.Current.Masker;

    public IReadOnlyList<ExecutableTarget> InvokedTargets { get; internal set; } = [];

    /// <summary>The plan: every target scheduled for this run, in order.</summary>
    public IReadOnlyList<ExecutableTarget> ScheduledTargets { get; internal set; } = [];

    public bool IsFailing => ScheduledTargets.Any(x => x.Status is ExecutionStatus.Failed or ExecutionStatus.Aborted);

    public bool IsSuccessful => !IsFailing;

    protected static int Execute<T>(params Expression<Func<T, Target>>[] defaultTargets) where T : NukeBuild, new()
    {
        using var cancellation = new CancellationTokenSource();
        // SIGINT (Ctrl+C) and SIGTERM cancel gracefully (assured targets still run, exit code 130); a second one ends the process.
        using var interrupts = Interrupts.Register(cancellation, Console.Error);
        return BuildRunner.Run(() => new T(), defaultTargets.Select(TargetName).ToList(), BuildInvocation.FromProcess(cancellation.Token));
    }

    internal static string TargetName<T>(Expression<Func<T, Target>> expression) =>
        expression.Body is MemberExpression member
            ? member.Member.Name
            : throw new BuildConfigurationException($"A default target must be a target property (x => x.Test), not '{expression.Body}'.");

    protected virtual void OnBuildCreated()
    {
    }

    protected virtual void OnBuildInitialized()
    {
    }

    protected virtual void OnTargetRunning(string target)
    {
    }

    protected virtual void OnTargetSkipped(string target)
    {
    }

    protected virtual void OnTargetSucceeded(string target)
    {
    }

    protected virtual void OnTargetFailed(string target)
    {
    }

    protected virtual void OnBuildFinished()
    {
    }

    internal void RaiseBuildCreated() => OnBuildCreated();
    internal void RaiseBuildInitialized() => OnBuildInitialized();
    internal void RaiseBuildFinished() => OnBuildFinished();
    internal Action<string>? TargetSucceededObserver { get; set; }

    void IBuildEvents.TargetRunning(string target) => OnTargetRunning(target);
    void IBuildEvents.TargetSkipped(string target) => OnTargetSkipped(target);
    void IBuildEvents.TargetFailed(string target) => OnTargetFailed(target);

    void IBuildEvents.TargetSucceeded(string target)
    {
        TargetSucceededObserver?.Invoke(target);
        OnTargetSucceeded(target);
    }
}
