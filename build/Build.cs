using MeshHook.Build.Engine;
using MeshHook.Build.Engine.Tools;
using MeshHook.Deployment.Environments;

/// <summary>MeshHook's build: ./build.sh [targets] [--parameters]; ./build.sh --help lists both.</summary>
partial class Build : NukeBuild
{
    public static int Main() => Execute<Build>(x => x.Test);

    [Parameter("Configuration to build: Debug locally, Release on CI")]
    readonly Configuration Configuration = IsLocalBuild ? Configuration.Debug : Configuration.Release;

    [Parameter("Environment to act on: local (this machine), dev, staging, production, or any other folder of infra/environments/ (e.g. your own servers over SSH)")]
    readonly EnvironmentName Environment = EnvironmentName.Local;

    [Parameter("Release id to deploy, roll back to or plan for (default: the one just packaged)")]
    readonly string? Release;

    AbsolutePath Solution => RootDirectory / "MeshHook.sln";
    AbsolutePath ArtifactsDirectory => RootDirectory / "artifacts";
    AbsolutePath TestResultsDirectory => ArtifactsDirectory / "test-results";

    Target Clean => _ => _
        .Description("Deletes artifacts/ and the bin/obj folders of src/ and tests/")
        .Before(Restore)
        .Executes(() => Workspace.Clean(RootDirectory, ArtifactsDirectory));

    Target Restore => _ => _
        .Description("Restores NuGet packages, local dotnet tools and the build's npm tools; installs shellcheck and chromium when missing")
        .Executes(async () =>
        {
            await Tools.RunAsync(DotNet.Restore(Solution), CancellationToken);
            await Tools.RunAsync(DotNet.ToolRestore(RootDirectory), CancellationToken);
            await Sources.BuildTools.InstallAsync(Tools, CancellationToken);
            await DebianPackages.EnsureAsync(Tools, "shellcheck", "shellcheck", CancellationToken);
            await DebianPackages.EnsureAsync(Tools, "chromium", "chromium", CancellationToken);   // the report's browser test
            await DebianPackages.EnsureAsync(Tools, "sshd", "openssh-server", CancellationToken);  // the ssh target's tests run real sshd
        });

    Target Compile => _ => _
        .Description("Builds the solution")
        .DependsOn(Restore)
        .Executes(() => Tools.RunAsync(DotNet.Build(Solution, Configuration.ToString()), CancellationToken));

    Target Test => _ => _
        .Description("Runs the .NET test projects and the app's node:test suites; reports in artifacts/test-results")
        .DependsOn(Compile)
        .Produces("artifacts/test-results/*")
        .Executes(async () =>
        {
            var run = TestRun.Start(Tools, TestResultsDirectory, await Sources.TestRunTie.ClaimAsync(Tools, CancellationToken));
            await run.RunAsync(DotNet.Test(Solution, Configuration.ToString(), TestResultsDirectory), CancellationToken);
            foreach (var suite in Sources.TestSuites)
                await run.RunAsync(await suite.PrepareTestAsync(Tools, TestResultsDirectory, CancellationToken), CancellationToken);
            run.Complete();
        });
}
