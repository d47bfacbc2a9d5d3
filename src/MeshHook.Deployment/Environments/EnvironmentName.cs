namespace MeshHook.Deployment.Environments;

/// <summary>The environments MeshHook is deployed to; each has its folder infra/environments/&lt;name&gt;/.</summary>
public enum EnvironmentName
{
    /// <summary>This machine, embedded database: the default a newcomer runs first.</summary>
    Local,
    Dev,
    Staging,
    Production,
}
