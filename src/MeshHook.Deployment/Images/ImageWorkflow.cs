using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Images;

/// <summary>
/// BuildImages: the web and workers images of a release, built from its own verified artifacts and pushed to the
/// environment's registry, tagged with the release id (what Deploy and infra/'s image_tag then run).
/// </summary>
/// <param name="variables">The build's environment variables (MESHHOOK_REGISTRY, GITHUB_SERVER_URL, GITHUB_REPOSITORY).</param>
/// <param name="contextRoot">Where the build contexts are made (a temporary folder; removed after each run).</param>
public sealed class ImageWorkflow(string repositoryRoot, ReleaseStore store, ToolRunner tools, IReadOnlyDictionary<string, string> variables,
    string contextRoot, Action<string> log)
{
    public ImagePlan Plan(EnvironmentName environment, string? releaseId, ImageBuilderKind builder)
    {
        var configuration = EnvironmentConfiguration.Load(repositoryRoot, environment);
        var registry = ImageRegistry.Resolve(environment, configuration.Target, variables);
        if (string.IsNullOrWhiteSpace(releaseId))
            throw new ImageException("No release to build images of: run ./build.sh Package (BuildImages runs it), or pass --release <id> (./build.sh Releases lists them).");
        var release = store.Get(releaseId);
        var sources = new ImageSources(repositoryRoot);
        var settings = new ImageSettings
        {
            Registry = registry,
            BaseImage = sources.BaseImage(),
            Builder = builder,
            SourceUrl = ImageSettings.SourceUrlFrom(variables),
        };
        return new ImagePlanner(sources, store, settings, contextRoot).Plan(environment.ToText(), release);
    }

    /// <summary>Builds and pushes the images; with <paramref name="dryRun"/> prints the plan and changes nothing.</summary>
    public async Task BuildAsync(EnvironmentName environment, string? releaseId, ImageBuilderKind builder, bool dryRun, CancellationToken cancellationToken)
    {
        var plan = Plan(environment, releaseId, builder);
        if (dryRun)
        {
            log(plan.Describe());
            return;
        }
        await new ImageBuilder(tools, store, log).RunAsync(plan, cancellationToken);
        log($"Pushed {string.Join(" and ", plan.Images.Select(x => x.Reference))}");
    }
}
