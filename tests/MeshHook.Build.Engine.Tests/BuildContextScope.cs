using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Tests;

/// <summary>Runs code with a build context set, for tests of engine parts used outside a full run.</summary>
internal static class BuildContextScope
{
    public static void Run(BuildHarness harness, Action action)
    {
        var masker = new SecretMasker();
        var host = new TerminalHost(colors: false);
        var log = new BuildLog(TextWriter.Null, masker, host, Verbosity.Normal);
        BuildContext.Set(new BuildContext
        {
            RootDirectory = AbsolutePath.Create(harness.Root),
            Host = host,
            Log = log,
            Masker = masker,
            Tools = new ToolRunner(masker, log),
            Environment = harness.Environment,
            Time = TimeProvider.System,
            BuildCancellation = CancellationToken.None,
        });
        try
        {
            action();
        }
        finally
        {
            BuildContext.Set(null);
        }
    }
}
