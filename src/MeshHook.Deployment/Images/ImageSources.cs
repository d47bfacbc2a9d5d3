using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Images;

/// <summary>
/// The repository's image definitions in <c>docker/</c>: one Dockerfile per image and <c>base-image.txt</c>, the one place
/// the Node base image is pinned by digest (passed to both builds as the NODE_IMAGE build argument).
/// </summary>
public sealed partial class ImageSources(string repositoryRoot)
{
    public string Directory => Path.Combine(repositoryRoot, "docker");

    public string BaseImageFile => Path.Combine(Directory, "base-image.txt");

    public string Dockerfile(string artifact) => Path.Combine(Directory, artifact + ".Dockerfile");

    /// <summary>The pinned base image (<c>name[:tag]@sha256:&lt;64 hex&gt;</c>); anything else is refused naming the file.</summary>
    public string BaseImage()
    {
        var relative = "docker/base-image.txt";
        if (!File.Exists(BaseImageFile))
            throw new ImageException($"{relative} is missing: it holds the images' base, pinned by digest (e.g. node:20-bookworm-slim@sha256:<64 hex digits>).");
        var lines = File.ReadAllLines(BaseImageFile).Select(x => x.Trim()).Where(x => x.Length > 0 && !x.StartsWith('#')).ToList();
        if (lines.Count != 1)
            throw new ImageException($"{relative} must hold exactly one image line besides # comments (found {lines.Count}).");
        return IsPinned(lines[0])
            ? lines[0]
            : throw new ImageException(
                $"{relative}: '{lines[0]}' is not pinned by digest. Write name[:tag]@sha256:<64 hex digits>, e.g. " +
                "node:20-bookworm-slim@sha256:... (`docker buildx imagetools inspect node:20-bookworm-slim` shows the digest).");
    }

    /// <summary>An image reference that names exactly one content: a digest, not just a tag.</summary>
    public static bool IsPinned(string image) => PinnedImage().IsMatch(image);

    [GeneratedRegex(@"^[a-z0-9]+(?:[._/:-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PinnedImage();
}
