namespace MeshHook.Deployment.Stages;

/// <summary>
/// A named part of a deploy (validate, lock, migrate, stage, start, health, switch, verify, clean up): the names appear
/// in the output and the journal, so a user always knows where a deploy stopped.
/// </summary>
public sealed record Stage(string Name, IReadOnlyList<DeployStep> Steps)
{
    public const string Validate = "validate";
    public const string Lock = "lock";
    public const string Database = "database";
    public const string Migrate = "migrate";
    public const string StageRelease = "stage";
    public const string Start = "start";
    public const string HealthCheck = "health check";
    public const string Switch = "switch";
    public const string Verify = "verify";
    public const string CleanUp = "clean up";
}
