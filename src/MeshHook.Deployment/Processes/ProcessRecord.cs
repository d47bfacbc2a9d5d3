namespace MeshHook.Deployment.Processes;

/// <summary>A started process as remembered in <c>run/&lt;name&gt;.json</c>: enough to find, check and stop it later.</summary>
public sealed record ProcessRecord(string Name, int Pid, long StartTicks, string? Release, int? Port, string LogFile, DateTimeOffset StartedAt)
{
    public ProcessIdentity Identity => new(Pid, StartTicks);

    public bool IsAlive() => Identity.IsAlive();
}
