using MeshHook.Deployment.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Images;

/// <summary>Runs an <see cref="ImagePlan"/>: every external program through the one tool runner.</summary>
public sealed class ImageBuilder(ToolRunner tools, ReleaseStore store, Action<string> log)
{
    public async Task RunAsync(ImagePlan plan, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var step in plan.Steps)
            {
                log(step.Describe());
                switch (step)
                {
                    case CheckDockerDaemon check:
                        var result = await tools.RunAsync(check.Command, cancellationToken);
                        if (!result.Succeeded)
                            throw new DockerDaemonUnavailableException(NoDaemon(plan, result));
                        break;
                    case VerifyReleaseArtifacts verify:
                        store.Verify(verify.ReleaseId);
                        break;
                    case PrepareImageContext prepare:
                        Prepare(prepare);
                        break;
                    case RunImageTool run:
                        await tools.RunAsync(run.Command, cancellationToken);
                        break;
                    default:
                        throw new InvalidOperationException($"No runner for the image step {step.GetType().Name}.");
                }
            }
        }
        finally
        {
            // The contexts are copies of the release: never left behind, whatever happened.
            if (Directory.Exists(plan.ContextRoot))
                Directory.Delete(plan.ContextRoot, recursive: true);
        }
    }

    static void Prepare(PrepareImageContext step)
    {
        if (!File.Exists(step.Dockerfile))
            throw new ImageException($"{step.Dockerfile} is missing: the {step.Image.Repository} image is defined by docker/{Path.GetFileName(step.Dockerfile)}.");
        if (Directory.Exists(step.Context))
            Directory.Delete(step.Context, recursive: true); // left by a run that was killed: start clean
        Directory.CreateDirectory(step.Context);
        ReleaseExtractor.Extract(step.Archive, Path.Combine(step.Context, "app"));
        File.Copy(step.Dockerfile, Path.Combine(step.Context, "Dockerfile"));
    }

    static string NoDaemon(ImagePlan plan, ToolResult result)
    {
        var said = result.Output.Select(x => x.Text.Trim()).LastOrDefault(x => x.Length > 0) ?? $"docker info exited with code {result.ExitCode}";
        var text = $"No Docker daemon is running ({said}). Nothing was built or pushed.{Environment.NewLine}" +
                   "Start Docker (Docker Desktop, or `sudo systemctl start docker`) and run again";
        if (plan.AcrAlternative.Count == 0)
            return text + $", or build in an Azure Container Registry with az acr build (needs a <name>.azurecr.io registry; {plan.Settings.Registry} is not one).";
        return text + ", or build the images in the registry, without Docker:" + Environment.NewLine +
               $"  ./build.sh BuildImages --environment {plan.Environment} --release {plan.ReleaseId} --image-builder acr" + Environment.NewLine +
               "which runs az acr build for each image:" + Environment.NewLine +
               string.Join(Environment.NewLine, plan.AcrAlternative.Select(x => "  " + x.ToDisplayString()));
    }
}
