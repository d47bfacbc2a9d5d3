using MeshHook.Tooling;

namespace MeshHook.Deployment.Images;

/// <summary>One effect of BuildImages, described as data: printed by --dry-run, read by tests, run by <see cref="ImageBuilder"/>.</summary>
public abstract record ImageStep
{
    /// <summary>What the step does, in words a person reads in a dry run.</summary>
    public abstract string Describe();
}

/// <summary>Ask Docker's daemon whether it runs; when not, stop before anything is done and name az acr build.</summary>
public sealed record CheckDockerDaemon(ToolCommand Command) : ImageStep
{
    public override string Describe() => "check that a Docker daemon answers: " + Command.ToDisplayString();
}

/// <summary>Check every artifact of the release against release.json before anything is built from it.</summary>
public sealed record VerifyReleaseArtifacts(string ReleaseId) : ImageStep
{
    public override string Describe() => $"verify the sha256 and size of every artifact of {ReleaseId} against its release.json";
}

/// <summary>
/// Make an image's build context from the release alone: the artifact extracted to <c>&lt;context&gt;/app</c> (unsafe
/// entries refuse the archive) and the repository's Dockerfile copied to <c>&lt;context&gt;/Dockerfile</c>.
/// </summary>
public sealed record PrepareImageContext(ReleaseImage Image, string Archive, string Dockerfile, string Context) : ImageStep
{
    public override string Describe() =>
        $"make the build context of {Image.Repository} in {Context}: extract {Path.GetFileName(Archive)} to app/, copy docker/{Path.GetFileName(Dockerfile)} to Dockerfile";
}

/// <summary>Run docker or az to completion.</summary>
public sealed record RunImageTool(ToolCommand Command) : ImageStep
{
    public override string Describe() => "run " + Command.ToDisplayString();
}
