namespace MeshHook.Deployment.Images;

/// <summary>
/// One image of a release: built from the release's artifact <see cref="Artifact"/> with <c>docker/&lt;Artifact&gt;.Dockerfile</c>,
/// pushed as <c>&lt;registry&gt;/&lt;repository&gt;:&lt;release id&gt;</c>.
/// </summary>
public sealed record ReleaseImage(string Artifact, string Repository, string Registry, string Tag)
{
    /// <summary>The repositories infra/ points the Container Apps at (infra/variables.tf, image_repositories).</summary>
    public static IReadOnlyList<(string Artifact, string Repository)> Kinds { get; } =
    [
        ("web", "meshhook-web"),
        ("workers", "meshhook-workers"),
    ];

    /// <summary>The full reference: <c>crmeshhookdevmh01.azurecr.io/meshhook-web:20261130-064512-a1b2c3d4e5f6</c>.</summary>
    public string Reference => $"{Registry}/{Repository}:{Tag}";

    /// <summary>The reference inside the registry, as <c>az acr build --image</c> takes it.</summary>
    public string RepositoryAndTag => $"{Repository}:{Tag}";
}
