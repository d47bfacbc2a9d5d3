namespace MeshHook.Deployment.Images;

/// <summary>Where the images are built (--image-builder).</summary>
public enum ImageBuilderKind
{
    /// <summary>This machine's Docker daemon builds them (linux/amd64), then <c>docker push</c> sends them to the registry.</summary>
    Docker,

    /// <summary>Azure Container Registry builds them from the uploaded context (<c>az acr build</c>): no Docker needed here.</summary>
    Acr,
}
