using MeshHook.Build.Engine;
using MeshHook.Deployment.Building;
using MeshHook.Deployment.Releases;

partial class Build
{
    MeshHookSources Sources => new(RootDirectory, ArtifactsDirectory);
    ReleaseStore ReleaseStore => new(ArtifactsDirectory / "releases");

    /// <summary>The release the Package target made in this run (deploy targets default to it).</summary>
    ReleaseManifest? PackagedRelease;

    Target BuildSvelteKit => _ => _
        .Description("Builds the SvelteKit web app (npm ci, vite build) into artifacts/build/web")
        .OnlyWhenDynamic(() => !Sources.Web.IsUpToDate(), "its inputs changed since the last successful build")
        .Executes(() => Sources.Web.BuildAsync(Tools, CancellationToken));

    Target BuildWorkers => _ => _
        .Description("Builds the workers (npm ci, checks) into artifacts/build/workers")
        .OnlyWhenDynamic(() => !Sources.Workers.IsUpToDate(), "its inputs changed since the last successful build")
        .Executes(() => Sources.Workers.BuildAsync(Tools, CancellationToken));

    Target Package => _ => _
        .Description("Packages web, workers and migrations into a checksummed release in artifacts/releases/<id> (reused when unchanged)")
        .DependsOn(BuildSvelteKit, BuildWorkers)
        .OnlyWhenStatic(() => Release == null, "no --release was given (with --release, that release is used as it is)")
        .Produces("artifacts/releases/*")
        .Executes(async () =>
        {
            PackagedRelease = await ReleaseBuilder.PackageAsync(Tools, Sources, ReleaseStore, TimeProvider.System,
                ReleaseOrigin.Builder(BuildContext.Current.Environment), CancellationToken);
            Log.Information($"Release {PackagedRelease.Id} ({PackagedRelease.Version}{(PackagedRelease.Dirty ? ", dirty" : "")}) at {ReleaseStore.PathOf(new ReleaseId(PackagedRelease.Id))}");
        });

    static string Builder => (global::System.Environment.UserName) + "@" + (global::System.Environment.MachineName);
}
