using System.Globalization;
using MeshHook.Deployment.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Images;

/// <summary>
/// The docker and az command lines that build and push a release's images, as data (Kamal's commands): nothing runs
/// here. A build context is a folder holding <c>Dockerfile</c> and <c>app/</c> (the release's extracted artifact).
/// </summary>
public sealed class ImageCommands(ImageSettings settings)
{
    /// <summary>Container Apps run linux/amd64; a laptop with another CPU must not push an image they cannot run.</summary>
    public const string Platform = "linux/amd64";

    public const string DockerInstallHint =
        "Docker is needed to build the images on this machine (https://docs.docker.com/engine/install/). Without Docker, " +
        "build them in the registry: --image-builder acr (runs az acr build).";

    public const string AzInstallHint =
        "The Azure CLI is needed (https://learn.microsoft.com/cli/azure/install-azure-cli; Debian/Ubuntu: " +
        "`curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash`), logged in with `az login` (in GitHub Actions: azure/login with OIDC).";

    static readonly TimeSpan QuickTimeout = TimeSpan.FromMinutes(2);
    static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);
    static readonly TimeSpan PushTimeout = TimeSpan.FromMinutes(30);
    static readonly TimeSpan AcrBuildTimeout = TimeSpan.FromMinutes(60);

    /// <summary>Asks the daemon its version: fails (not thrown) when the client finds no daemon.</summary>
    public ToolCommand DaemonCheck() =>
        Docker(QuickTimeout, "info", "--format", "{{.ServerVersion}}") with { ThrowOnFailure = false, LogOutput = false };

    public ToolCommand Build(ReleaseImage image, ReleaseManifest release, string context) =>
        Docker(BuildTimeout,
        [
            "build", "--platform", Platform,
            "--file", Path.Combine(context, "Dockerfile"),
            "--tag", image.Reference,
            .. BuildArguments(release).SelectMany(x => new[] { "--build-arg", x }),
            context,
        ]);

    public ToolCommand Push(ReleaseImage image) => Docker(PushTimeout, "push", image.Reference);

    /// <summary>Docker's credentials for an Azure Container Registry (from the az login); null for another registry.</summary>
    public ToolCommand? Login() =>
        ImageRegistry.AcrName(settings.Registry) is { } name
            ? Az(QuickTimeout, "acr", "login", "--name", name) with { Environment = settings.DockerEnvironment } // it runs docker login
            : null;

    /// <summary>The registry builds and stores the image from the uploaded context: no Docker on this machine.</summary>
    public ToolCommand AcrBuild(ReleaseImage image, ReleaseManifest release, string context) =>
        Az(AcrBuildTimeout,
        [
            "acr", "build",
            "--registry", AcrName(),
            "--image", image.RepositoryAndTag,
            "--file", "Dockerfile", // relative to the context, which az uploads
            "--platform", Platform,
            .. BuildArguments(release).SelectMany(x => new[] { "--build-arg", x }),
            context,
        ]);

    /// <summary>
    /// NAME=value pairs the Dockerfiles declare: the pinned base and the release's own metadata (labels, the release id
    /// /health reports). Only public facts: never a secret (a build argument stays readable in the image's history).
    /// </summary>
    public IReadOnlyList<string> BuildArguments(ReleaseManifest release) =>
    [
        "NODE_IMAGE=" + settings.BaseImage,
        "RELEASE_ID=" + release.Id,
        "RELEASE_VERSION=" + release.Version,
        "RELEASE_COMMIT=" + release.Commit,
        // The release's creation time, not now: building the same release twice gives the same labels.
        "RELEASE_CREATED=" + release.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        .. settings.SourceUrl is { } source ? ["SOURCE_URL=" + source] : Array.Empty<string>(),
    ];

    string AcrName() =>
        ImageRegistry.AcrName(settings.Registry)
        ?? throw new ImageException(
            $"az acr build needs an Azure Container Registry (<name>.azurecr.io); {settings.Registry} is not one. " +
            "Build with Docker instead (--image-builder docker).");

    ToolCommand Docker(TimeSpan timeout, params string[] arguments) =>
        new("docker", arguments)
        {
            Timeout = timeout,
            Environment = settings.DockerEnvironment,
            InstallHint = DockerInstallHint,
        };

    static ToolCommand Az(TimeSpan timeout, params string[] arguments) =>
        new("az", arguments) { Timeout = timeout, InstallHint = AzInstallHint };
}
