namespace MeshHook.Deployment.Images;

/// <summary>What every image command of a build shares.</summary>
public sealed record ImageSettings
{
    /// <summary>The registry's login server (<see cref="ImageRegistry.Resolve"/>).</summary>
    public required string Registry { get; init; }

    /// <summary>The pinned base image (<see cref="ImageSources.BaseImage"/>), passed as the NODE_IMAGE build argument.</summary>
    public required string BaseImage { get; init; }

    /// <summary>Where the images are built: this machine's Docker daemon or the registry (az acr build).</summary>
    public ImageBuilderKind Builder { get; init; } = ImageBuilderKind.Docker;

    /// <summary>The repository's URL for the <c>org.opencontainers.image.source</c> label; null leaves the label empty.</summary>
    public string? SourceUrl { get; init; }

    /// <summary>Variables for the docker processes beyond those inherited (DOCKER_HOST, DOCKER_CONFIG).</summary>
    public IReadOnlyDictionary<string, string?> DockerEnvironment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The repository's URL in GitHub Actions (GITHUB_SERVER_URL/GITHUB_REPOSITORY); null elsewhere.</summary>
    public static string? SourceUrlFrom(IReadOnlyDictionary<string, string> variables) =>
        variables.TryGetValue("GITHUB_SERVER_URL", out var server) && !string.IsNullOrWhiteSpace(server) &&
        variables.TryGetValue("GITHUB_REPOSITORY", out var repository) && !string.IsNullOrWhiteSpace(repository)
            ? server.TrimEnd('/') + "/" + repository.Trim()
            : null;
}
