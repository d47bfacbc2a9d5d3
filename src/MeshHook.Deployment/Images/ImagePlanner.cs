using MeshHook.Deployment.Releases;

namespace MeshHook.Deployment.Images;

/// <summary>Turns "build the images of release R" into an <see cref="ImagePlan"/>: reads nothing but its inputs, changes nothing.</summary>
public sealed class ImagePlanner(ImageSources sources, ReleaseStore store, ImageSettings settings, string contextRoot)
{
    public ImagePlan Plan(string environment, ReleaseManifest release)
    {
        var commands = new ImageCommands(settings);
        var releaseContext = Path.Combine(contextRoot, release.Id);
        var images = ReleaseImage.Kinds.Select(x => new ReleaseImage(x.Artifact, x.Repository, settings.Registry, release.Id)).ToList();
        string Context(ReleaseImage image) => Path.Combine(releaseContext, image.Artifact);

        var prepare = images.Select(image => (ImageStep)new PrepareImageContext(image, Archive(release, image), sources.Dockerfile(image.Artifact), Context(image))).ToList();
        var steps = new List<ImageStep>();
        if (settings.Builder == ImageBuilderKind.Docker)
        {
            steps.Add(new CheckDockerDaemon(commands.DaemonCheck())); // first: without a daemon nothing is started
            steps.Add(new VerifyReleaseArtifacts(release.Id));
            steps.AddRange(prepare);
            steps.AddRange(images.Select(x => new RunImageTool(commands.Build(x, release, Context(x)))));
            if (commands.Login() is { } login)
                steps.Add(new RunImageTool(login));
            steps.AddRange(images.Select(x => new RunImageTool(commands.Push(x))));
        }
        else
        {
            steps.Add(new VerifyReleaseArtifacts(release.Id));
            steps.AddRange(prepare);
            steps.AddRange(images.Select(x => new RunImageTool(commands.AcrBuild(x, release, Context(x)))));
        }
        var alternative = ImageRegistry.AcrName(settings.Registry) is null
            ? []
            : images.Select(x => commands.AcrBuild(x, release, Context(x))).ToList();
        return new ImagePlan(environment, release.Id, settings, images, releaseContext, steps, alternative);
    }

    string Archive(ReleaseManifest release, ReleaseImage image)
    {
        var artifact = release.Artifacts.FirstOrDefault(x => x.Name == image.Artifact)
            ?? throw new ReleaseException($"Release {release.Id} has no '{image.Artifact}' artifact (it has {string.Join(", ", release.Artifacts.Select(x => x.Name))}): package it again.");
        return Path.Combine(store.PathOf(new ReleaseId(release.Id)), artifact.File);
    }
}
