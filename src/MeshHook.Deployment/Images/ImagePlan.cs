using System.Text;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Images;

/// <summary>
/// Everything BuildImages will do for a release, before it does it. Both images are built before either is pushed, so
/// a failed build pushes nothing; the build contexts (<see cref="ContextRoot"/>) are removed afterwards, also on failure.
/// </summary>
public sealed record ImagePlan(
    string Environment,
    string ReleaseId,
    ImageSettings Settings,
    IReadOnlyList<ReleaseImage> Images,
    string ContextRoot,
    IReadOnlyList<ImageStep> Steps,
    IReadOnlyList<ToolCommand> AcrAlternative)
{
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Images of {ReleaseId} for {Environment}, built with {(Settings.Builder == ImageBuilderKind.Docker ? "Docker" : "az acr build")}, pushed to {Settings.Registry}:");
        foreach (var image in Images)
            text.AppendLine($"  {image.Reference}");
        text.AppendLine("  steps:");
        foreach (var step in Steps)
            text.AppendLine($"    - {step.Describe()}");
        text.AppendLine($"  afterwards (also on failure): remove {ContextRoot}");
        return text.ToString();
    }
}
