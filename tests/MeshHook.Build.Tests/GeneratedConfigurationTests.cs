namespace MeshHook.Build.Tests;

/// <summary>
/// The committed workflows (.github/workflows), VS Code tasks and Rider run configurations are exactly what build/Build.CI.cs
/// and the build's targets generate: stale YAML cannot land. Fix a failure with ./build.sh --generate-configuration.
/// </summary>
public sealed class GeneratedConfigurationTests
{
    [Fact]
    public void Committed_generated_files_match_the_build_class()
    {
        var result = TestProcess.Run(Path.Combine(TestPaths.RepoRoot, "build.sh"), ["--check-configuration", "--no-logo"], TestPaths.RepoRoot,
            TimeSpan.FromMinutes(5));

        Assert.True(!result.TimedOut && result.ExitCode == 0,
            "The generated files differ from what the build class generates; run ./build.sh --generate-configuration and commit.\n" + result.Describe());
        Assert.Contains("generated files match the build class", result.StdOut);
    }
}
