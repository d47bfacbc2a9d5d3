namespace MeshHook.Build.Tests;

/// <summary>
/// build.sh and build.ps1 copied into a small fake repository, with a fake `dotnet` first on PATH
/// that logs its calls: checks when the scripts compile and when they start the compiled build
/// directly, without a real SDK and without touching the real build/bin.
/// </summary>
public sealed class BootstrapFingerprintTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory temp = new();
    private readonly string repo;
    private readonly string fakeBin;
    private readonly string log;

    public BootstrapFingerprintTests()
    {
        repo = temp.Combine("repo");
        fakeBin = temp.Combine("fake-bin");
        log = temp.Combine("dotnet.log");
        Directory.CreateDirectory(fakeBin);
        Directory.CreateDirectory(Path.Combine(repo, ".nuke"));
        foreach (var file in new[] { "build.sh", "build.ps1", "global.json" })
        {
            File.Copy(Path.Combine(TestPaths.RepoRoot, file), Path.Combine(repo, file));
        }
        TestPaths.MakeExecutable(Path.Combine(repo, "build.sh"));
        Write("build/_build.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("build/Build.cs", "class Build { }");
        Write("src/MeshHook.Fake/MeshHook.Fake.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("src/MeshHook.Fake/Fake.cs", "class Fake { }");
        Write("src/MeshHook.Fake/obj/Generated.cs", "// generated");
        Write("src/Unrelated/Unrelated.cs", "class Unrelated { }");
        Write(".nuke/parameters.json", "{}");

        // The fake dotnet: `--version` succeeds, `build` writes build/bin/_build.dll (or fails when
        // FAKE_BUILD_FAIL is set), running the dll echoes its arguments and exits 3 on `--fail`.
        TestPaths.WriteExecutable(Path.Combine(fakeBin, "dotnet"), $$"""
            #!/bin/sh
            line=""
            for a in "$@"; do line="$line[$a]"; done
            printf '%s\n' "$line" >> {{TestPaths.ShellQuote(log)}}
            case "$1" in
              --version) echo 10.0.100; exit 0 ;;
              build)
                if [ -n "${FAKE_BUILD_FAIL:-}" ]; then echo "fake compiler error CS0001"; exit 1; fi
                mkdir -p "$(dirname "$2")/bin" && : > "$(dirname "$2")/bin/_build.dll"; exit 0 ;;
              *_build.dll)
                shift
                printf 'fake build ran with'
                for a in "$@"; do printf ' <%s>' "$a"; done
                echo
                for a in "$@"; do if [ "$a" = "--fail" ]; then exit 3; fi; done
                exit 0 ;;
            esac
            echo "fake dotnet: unexpected call $line" >&2
            exit 99
            """);
    }

    public void Dispose() => temp.Dispose();

    public enum Script { Bash, PowerShell }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(repo, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>Runs the script; returns the result and the kinds of dotnet calls it made.</summary>
    private (ProcessResult Result, string[] Calls) Run(Script script, string[] arguments, bool failCompile = false)
    {
        File.Delete(log);
        void Environment(IDictionary<string, string?> env)
        {
            env["PATH"] = fakeBin + Path.PathSeparator + env["PATH"];
            if (failCompile)
            {
                env["FAKE_BUILD_FAIL"] = "1";
            }
        }
        var result = script == Script.Bash
            ? TestProcess.Run(Path.Combine(repo, "build.sh"), arguments, repo, Timeout, Environment)
            : TestProcess.Run(TestPaths.RealDotnet(),
                ["pwsh", "-NoProfile", "-File", Path.Combine(repo, "build.ps1"), .. arguments],
                TestPaths.RepoRoot, Timeout, Environment);
        var calls = File.Exists(log) ? File.ReadAllLines(log) : [];
        return (result, calls.Select(Kind).ToArray());
    }

    private static string Kind(string call) =>
        call == "[--version]" ? "version"
        : call.StartsWith("[build]", StringComparison.Ordinal) ? "build"
        : call.StartsWith('[') && call.Contains("build/bin/_build.dll]", StringComparison.Ordinal) ? "run"
        : "unexpected " + call;

    private void AssertRun(Script script, string[] expectedCalls, string because, string[]? arguments = null)
    {
        var (result, calls) = Run(script, arguments ?? ["--help"]);
        Assert.True(result.ExitCode == 0 && !result.TimedOut, because + "\n" + result.Describe());
        Assert.True(expectedCalls.SequenceEqual(calls),
            $"{because}: expected dotnet calls [{string.Join(", ", expectedCalls)}], got [{string.Join(", ", calls)}]\n{result.Describe()}");
    }

    private static readonly string[] Compiles = ["version", "build", "run"];
    private static readonly string[] RunsDirectly = ["run"];

    [Theory]
    [InlineData(Script.Bash)]
    [InlineData(Script.PowerShell)]
    public void Fingerprint_FollowsTheBuildInputs(Script script)
    {
        if (script == Script.PowerShell)
        {
            PowerShellTool.EnsureRestored();
        }

        AssertRun(script, Compiles, "first run compiles");
        AssertRun(script, RunsDirectly, "unchanged inputs: no MSBuild, no dotnet --version");

        Write("build/Added.cs", "class Added { }");
        AssertRun(script, Compiles, "an added file compiles");
        AssertRun(script, RunsDirectly, "then it is up to date again");

        File.Delete(Path.Combine(repo, "build/Added.cs"));
        AssertRun(script, Compiles, "a deleted file compiles");

        File.AppendAllText(Path.Combine(repo, "src/MeshHook.Fake/Fake.cs"), "// edited");
        AssertRun(script, Compiles, "an edit under src/MeshHook.*/ compiles");

        File.SetLastWriteTimeUtc(Path.Combine(repo, "build/Build.cs"), DateTime.UtcNow.AddMinutes(-5));
        AssertRun(script, Compiles, "a changed mtime alone compiles");

        Write("Directory.Build.targets", "<Project />");
        AssertRun(script, Compiles, "a new Directory.Build.targets compiles");

        Write("src/MeshHook.Fake/obj/Generated.cs", "// generated again, longer");
        Write("src/Unrelated/Unrelated.cs", "class Unrelated { int x; }");
        Write("build/notes.txt", "not an input");
        Write(".nuke/parameters.json", "{ \"x\": 1 }");
        AssertRun(script, RunsDirectly, "obj/, folders outside src/MeshHook.*/, other extensions and .nuke/ are not inputs");

        File.Delete(Path.Combine(repo, "build/bin/_build.dll"));
        AssertRun(script, Compiles, "a missing build/bin/_build.dll compiles");
        AssertRun(script, RunsDirectly, "and then runs directly again");
    }

    [Theory]
    [InlineData(Script.Bash)]
    [InlineData(Script.PowerShell)]
    public void Arguments_AndExitCode_PassThroughUnchanged(Script script)
    {
        if (script == Script.PowerShell)
        {
            PowerShellTool.EnsureRestored();
        }
        string[] arguments = ["Test", "--skip", "two  spaces", "", "it's", "$HOME", "*", "?", "--fail"];

        foreach (var expected in new[] { Compiles, RunsDirectly })
        {
            var (result, calls) = Run(script, arguments);

            Assert.True(result.ExitCode == 3, "the build's exit code should come back\n" + result.Describe());
            Assert.Equal(expected, calls);
            Assert.Contains("fake build ran with <Test> <--skip> <two  spaces> <> <it's> <$HOME> <*> <?> <--fail>", result.StdOut, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Script.Bash)]
    [InlineData(Script.PowerShell)]
    public void FailedCompile_ShowsTheOutput_ExitsNonZero_AndIsRetried(Script script)
    {
        if (script == Script.PowerShell)
        {
            PowerShellTool.EnsureRestored();
        }

        var (failed, failedCalls) = Run(script, ["--help"], failCompile: true);

        Assert.True(failed.ExitCode != 0 && !failed.TimedOut, "a failed compile should fail the script\n" + failed.Describe());
        Assert.Contains("fake compiler error CS0001", failed.Output, StringComparison.Ordinal);
        Assert.Equal(["version", "build"], failedCalls);
        AssertRun(script, Compiles, "after a failed compile the next run compiles again");
    }
}
