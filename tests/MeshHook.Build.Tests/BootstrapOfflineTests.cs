namespace MeshHook.Build.Tests;

/// <summary>
/// No .NET SDK anywhere and no network: the bootstrap must fail at once with a message that says
/// what to install, never hang.
/// </summary>
public sealed class BootstrapOfflineTests : IDisposable
{
    // Below the install script's 60 s download limit, so a script that waited for the download fails the test, and far
    // above what failing at once costs even with both cores busy (PowerShell alone takes seconds to start there).
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(50);

    /// <summary>What the scripts may use besides bash; dotnet is deliberately absent.</summary>
    private static readonly string[] Utilities =
    [
        "bash", "sh", "env", "find", "sort", "cksum", "md5sum", "cat", "dirname", "mkdir", "mv", "rm",
        "flock", "curl", "wget",
    ];

    private readonly TempDirectory temp = new();
    private readonly string repo;
    private readonly string bin;
    private readonly string home;

    public BootstrapOfflineTests()
    {
        repo = temp.Combine("repo");
        bin = temp.Combine("bin");
        home = temp.Combine("home");
        Directory.CreateDirectory(Path.Combine(repo, ".nuke"));
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(home);
        foreach (var file in new[] { "build.sh", "build.ps1", "global.json" })
        {
            File.Copy(Path.Combine(TestPaths.RepoRoot, file), Path.Combine(repo, file));
        }
        foreach (var name in Utilities)
        {
            var target = new[] { "/usr/local/bin", "/usr/bin", "/bin" }
                .Select(dir => Path.Combine(dir, name))
                .FirstOrDefault(File.Exists);
            if (target is not null)
            {
                File.CreateSymbolicLink(Path.Combine(bin, name), target);
            }
        }
    }

    public void Dispose() => temp.Dispose();

    /// <summary>
    /// A proxy on a closed loopback port makes every download fail at once, the same way with or
    /// without network on the machine that runs the tests.
    /// </summary>
    private static void Offline(IDictionary<string, string?> env)
    {
        foreach (var name in new[] { "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" })
        {
            env[name] = "http://127.0.0.1:9";
        }
        env.Remove("no_proxy");
        env.Remove("NO_PROXY");
    }

    private static void AssertFailsClearlyAndFast(ProcessResult result)
    {
        Assert.False(result.TimedOut, "the bootstrap hung without an SDK\n" + result.Describe());
        Assert.True(result.ExitCode != 0, "the bootstrap should fail without an SDK\n" + result.Describe());
        Assert.True(result.Elapsed < Limit, "the bootstrap took too long to fail\n" + result.Describe());
        Assert.True(result.Output.Contains("Install the .NET SDK", StringComparison.OrdinalIgnoreCase),
            "the message should say to install the .NET SDK\n" + result.Describe());
        Assert.Contains("global.json", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildSh_WithoutSdkOrNetwork_FailsAtOnceWithAClearMessage()
    {
        Assert.True(File.Exists(Path.Combine(bin, "bash")), "bash not found in /usr/bin or /bin");
        Assert.False(File.Exists(Path.Combine(bin, "dotnet")));

        var result = TestProcess.Run(Path.Combine(bin, "bash"), [Path.Combine(repo, "build.sh"), "--help"], repo, Limit + TimeSpan.FromSeconds(5),
            env =>
            {
                env.Clear();
                env["PATH"] = bin;
                env["HOME"] = home;
                Offline(env);
            });

        AssertFailsClearlyAndFast(result);
        Assert.False(Directory.Exists(Path.Combine(repo, ".nuke", "temp", "dotnet")), "nothing should be half-installed");
    }

    [Fact]
    public void BuildPs1_WithoutSdkOrNetwork_FailsAtOnceWithAClearMessage()
    {
        PowerShellTool.EnsureRestored();

        // pwsh itself is started by the real dotnet; the script sees a PATH without dotnet.
        var result = TestProcess.Run(TestPaths.RealDotnet(), ["pwsh", "-NoProfile", "-File", Path.Combine(repo, "build.ps1"), "--help"],
            TestPaths.RepoRoot, Limit + TimeSpan.FromSeconds(5),
            env =>
            {
                env["PATH"] = bin;
                Offline(env);
            });

        AssertFailsClearlyAndFast(result);
    }
}
