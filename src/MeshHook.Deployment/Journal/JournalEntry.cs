using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Journal;

/// <summary>One line of the journal: a deployment started, a stage ended, or the deployment finished.</summary>
public sealed record JournalEntry
{
    public required string Type { get; init; }
    public required string DeploymentId { get; init; }
    public required DateTimeOffset At { get; init; }

    // started
    public string? Kind { get; init; }
    public string? Environment { get; init; }
    public string? Release { get; init; }
    public string? PreviousRelease { get; init; }
    public string? Actor { get; init; }
    public string? Commit { get; init; }

    /// <summary>A protection rule overridden with --force, and the reason given.</summary>
    public string? Override { get; init; }

    // stage
    public string? Stage { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public long? DurationMs { get; init; }

    // stage and finished
    public string? Outcome { get; init; }
    public string? Error { get; init; }

    [JsonIgnore]
    public bool IsStarted => Type == JournalEntryTypes.Started;
}

public static class JournalEntryTypes
{
    public const string Started = "started";
    public const string Stage = "stage";
    public const string Finished = "finished";
}

/// <summary>How a deployment ended.</summary>
public static class Outcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string RolledBack = "rolled_back";
    public const string Aborted = "aborted";

    /// <summary>Stopped by Ctrl+C or SIGTERM before the switch: the new release was stopped, the old one kept serving.</summary>
    public const string Cancelled = "cancelled";
    public const string NoChange = "no_change";
}
