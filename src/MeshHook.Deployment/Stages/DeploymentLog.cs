namespace MeshHook.Deployment.Stages;

/// <summary>Where the deployment library reports progress; the build passes its own log (the library knows no engine).</summary>
public sealed record DeploymentLog(Action<string> Information, Action<string> Warning)
{
    public static DeploymentLog Silent { get; } = new(_ => { }, _ => { });
}
