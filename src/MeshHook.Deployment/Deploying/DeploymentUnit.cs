namespace MeshHook.Deployment.Deploying;

/// <summary>
/// One running part of an environment as <c>Status</c> shows it: a process on this machine (pid, port), a Container Apps
/// revision (state, traffic weight), or a process on one SSH host (host). What a target does not know stays null.
/// </summary>
public sealed record DeploymentUnit(string Name, string? Release)
{
    /// <summary>The machine it runs on; null for this machine or a cloud service.</summary>
    public string? Host { get; init; }

    /// <summary>In the target's words: running, provisioning, failed, inactive...</summary>
    public string? State { get; init; }

    /// <summary>Its share of the stable URL's traffic (0-100) where the target splits traffic (revisions); else null.</summary>
    public int? TrafficPercent { get; init; }

    public int? Pid { get; init; }

    public int? Port { get; init; }

    /// <summary>Where its output goes: a file, or the name of a log stream.</summary>
    public string? Log { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>One line for the Status table, e.g. <c>web-r1-41001 (pid 123, port 41001)</c>.</summary>
    public string Describe()
    {
        var details = new[]
        {
            Host is null ? null : $"on {Host}",
            State,
            TrafficPercent is { } traffic ? $"{traffic} % traffic" : null,
            Pid is { } pid ? $"pid {pid}" : null,
            Port is { } port ? $"port {port}" : null,
        }.OfType<string>().ToList();
        return details.Count == 0 ? Name : $"{Name} ({string.Join(", ", details)})";
    }
}
