using MeshHook.Build.Engine;
using MeshHook.Deployment.Images;

/// <summary>BuildImages: the release's web and workers images for --environment's registry.</summary>
partial class Build
{
    [Parameter("BuildImages: docker (this machine's Docker daemon, then docker push) or acr (az acr build in the registry, no Docker needed)")]
    readonly ImageBuilderKind ImageBuilder = ImageBuilderKind.Docker;

    ImageWorkflow Images => new(RootDirectory, ReleaseStore, Tools, BuildContext.Current.Environment,
        TemporaryDirectory / "images", Log.Information);

    Target BuildImages => _ => _
        .Description("Builds the web and workers images of the release (default: the one just packaged) from its own artifacts and pushes them to --environment's registry, tagged with the release id (--dry-run prints the commands)")
        .DependsOn(Package)
        .Executes(() => Images.BuildAsync(Environment, Release ?? PackagedRelease?.Id, ImageBuilder, DryRun, CancellationToken));
}
