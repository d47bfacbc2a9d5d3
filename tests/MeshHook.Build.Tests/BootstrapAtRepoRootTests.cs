namespace MeshHook.Build.Tests;

/// <summary>
/// The bootstrap scripts of this repository, run for real at the repository root.
/// </summary>
public sealed class BootstrapAtRepoRootTests
{
    /// <summary>
    /// Text that `--help` must print. While build/Build.cs is a placeholder the check is only
    /// "exit code 0 and some output"; once the engine lands, list here what its help shows
    /// (e.g. "Targets:", "Test") and every --help test below checks it.
    /// </summary>
    internal static readonly string[] HelpOutputMarkers = ["Usage: ./build.sh", "Targets (→ depends on):", "Test (default)", "--configuration", "--environment", "Built-in options:"];

    private static readonly TimeSpan BootstrapTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan QuickTimeout = TimeSpan.FromSeconds(60);

    private static string Root => TestPaths.RepoRoot;

    internal static void AssertIsHelp(ProcessResult result)
    {
        Assert.True(!result.TimedOut && result.ExitCode == 0, "--help should exit 0\n" + result.Describe());
        Assert.False(string.IsNullOrWhiteSpace(result.StdOut), "--help should print to stdout\n" + result.Describe());
        foreach (var marker in HelpOutputMarkers)
        {
            Assert.True(result.StdOut.Contains(marker, StringComparison.Ordinal),
                $"--help output should contain '{marker}'\n" + result.Describe());
        }
    }

    [Theory]
    [InlineData("build.sh")]
    [InlineData("bench/startup.sh")]
    [InlineData("tools/loopback-hosts.sh")]
    public void ShellScript_IsShellcheckClean(string script)
    {
        var shellcheck = TestPaths.FindOnPath("shellcheck");
        Assert.True(shellcheck is not null,
            "shellcheck is not installed; install it with `apt-get install shellcheck` (it is part of the checks)");

        var result = TestProcess.Run(shellcheck, [script], Root, QuickTimeout);

        Assert.True(result.ExitCode == 0 && !result.TimedOut, $"shellcheck {script} found problems\n" + result.Describe());
    }

    [Fact]
    public void BuildSh_Help_ExitsZeroWithOutput()
    {
        var result = TestProcess.Run(Path.Combine(Root, "build.sh"), ["--help"], Root, BootstrapTimeout);

        AssertIsHelp(result);
    }

    [Fact]
    public void BuildSh_SecondRun_StartsTheCompiledBuildWithoutMsBuild()
    {
        var fingerprintFile = Path.Combine(Root, ".nuke", "temp", "build.fingerprint");
        var first = TestProcess.Run(Path.Combine(Root, "build.sh"), ["--help"], Root, BootstrapTimeout);
        AssertIsHelp(first);
        Assert.True(File.Exists(fingerprintFile), $"{fingerprintFile} should exist after a run");

        using var temp = new TempDirectory();
        var bin = temp.Combine("bin");
        Directory.CreateDirectory(bin);
        var log = temp.Combine("dotnet.log");
        TestPaths.WriteExecutable(Path.Combine(bin, "dotnet"), $"""
            #!/bin/sh
            # Logs each call (one line, each argument in brackets), then runs the real dotnet.
            line=""
            for a in "$@"; do line="$line[$a]"; done
            printf '%s\n' "$line" >> {TestPaths.ShellQuote(log)}
            exec {TestPaths.ShellQuote(TestPaths.RealDotnet())} "$@"
            """);

        var second = TestProcess.Run(Path.Combine(Root, "build.sh"), ["--help"], Root, BootstrapTimeout,
            env => env["PATH"] = bin + Path.PathSeparator + env["PATH"]);

        AssertIsHelp(second);
        var calls = File.Exists(log) ? File.ReadAllLines(log) : [];
        var account = $"dotnet calls:\n{string.Join('\n', calls)}\n{second.Describe()}";
        var call = Assert.Single(calls);
        Assert.True(call.StartsWith('[') && call.Contains("build/bin/_build.dll]", StringComparison.Ordinal),
            "the only dotnet call should run build/bin/_build.dll\n" + account);
        Assert.True(call.EndsWith("[--help]", StringComparison.Ordinal), "arguments should be passed on\n" + account);
        Assert.DoesNotContain(calls, c => c.StartsWith("[build]", StringComparison.Ordinal) || c.Contains("[--version]", StringComparison.Ordinal));
    }

    /// <summary>
    /// `./build.sh "$TARGET"` with an unset variable passes one empty word: it must fail (exit 2, naming what was given
    /// and listing the targets), not run the default target (Test). One real run through the bootstrap; the engine's
    /// PlanningTests cover the other spellings ('+', 'a++b', '--target') in-process.
    /// </summary>
    [Fact]
    public void BuildSh_EmptyTargetName_FailsListingTheTargetsAndRunsNothing()
    {
        var result = TestProcess.Run(Path.Combine(Root, "build.sh"), ["", "--no-logo"], Root, BootstrapTimeout);

        Assert.True(!result.TimedOut && result.ExitCode == 2, "an empty target name should exit 2\n" + result.Describe());
        Assert.True(result.Output.Contains("error: Empty target name in ''", StringComparison.Ordinal), result.Describe());
        Assert.Matches(@"Targets: .*\bCompile\b.*\bTest\b.*\bDeploy\b", result.Output);
        // Nothing ran: no target header and no end-of-build summary.
        Assert.DoesNotContain("Duration", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("═", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Build failed", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Build succeeded", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildCmd_RunThroughBash_ShowsHelp()
    {
        var bash = TestPaths.FindOnPath("bash") ?? "/bin/bash";

        var result = TestProcess.Run(bash, [Path.Combine(Root, "build.cmd"), "--help"], Root, BootstrapTimeout);

        AssertIsHelp(result);
    }

    [Fact]
    public void BuildPs1_RunThroughDotnetPwsh_ShowsHelp()
    {
        PowerShellTool.EnsureRestored();

        var result = TestProcess.Run(TestPaths.RealDotnet(), ["pwsh", "-NoProfile", "build.ps1", "--help"], Root, BootstrapTimeout);

        AssertIsHelp(result);
    }

    [Fact]
    public void BenchStartup_RejectsABadRunCount()
    {
        var bash = TestPaths.FindOnPath("bash") ?? "/bin/bash";

        var result = TestProcess.Run(bash, ["bench/startup.sh", "seven"], Root, QuickTimeout);

        Assert.True(result.ExitCode == 2, "a bad run count should exit 2 with a usage line\n" + result.Describe());
        Assert.Contains("usage:", result.StdErr, StringComparison.Ordinal);
    }
}

/// <summary>The PowerShell local tool from .config/dotnet-tools.json.</summary>
internal static class PowerShellTool
{
    private static readonly Lock Gate = new();
    private static bool restored;

    public static void EnsureRestored()
    {
        lock (Gate)
        {
            if (restored)
            {
                return;
            }
            var root = TestPaths.RepoRoot;
            var dotnet = TestPaths.RealDotnet();
            var version = TestProcess.Run(dotnet, ["pwsh", "--version"], root, TimeSpan.FromSeconds(60));
            if (version.ExitCode != 0)
            {
                var restore = TestProcess.Run(dotnet, ["tool", "restore"], root, TimeSpan.FromMinutes(5));
                Assert.True(restore.ExitCode == 0, "dotnet tool restore failed\n" + restore.Describe());
            }
            restored = true;
        }
    }
}
