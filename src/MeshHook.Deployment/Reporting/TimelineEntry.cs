namespace MeshHook.Deployment.Reporting;

/// <summary>
/// One deployment or rollback as the report shows it. <see cref="Outcome"/> is the journal's outcome as written
/// (<c>running</c> or <c>unfinished</c> when there is none yet); <see cref="Category"/> is what it counts as.
/// </summary>
public sealed record TimelineEntry
{
    public required string Id { get; init; }

    /// <summary><c>deploy</c> or <c>rollback</c>.</summary>
    public required string Kind { get; init; }

    public string? Release { get; init; }
    public string? Version { get; init; }
    public string? Commit { get; init; }

    /// <summary>The release that was serving when it started.</summary>
    public string? PreviousRelease { get; init; }
    public string? Actor { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public required string Outcome { get; init; }
    public required OutcomeCategory Category { get; init; }
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];

    /// <summary>The error of the failed stage or of the finish entry (masked).</summary>
    public string? Error { get; init; }

    /// <summary>When the failure showed: the end of the first failed stage, else the finish.</summary>
    public DateTimeOffset? FailedAt { get; init; }

    /// <summary>The rollback that later replaced this (successful) deploy: it counts as a change failure.</summary>
    public string? UndoneBy { get; init; }

    public TimeSpan? Duration => FinishedAt - StartedAt;

    /// <summary>When it counts in a window: its finish, or its start while it has none.</summary>
    public DateTimeOffset CountedAt => FinishedAt ?? StartedAt;

    public bool IsDeploy => Kind == "deploy";

    public bool IsChangeFailure => Category == OutcomeCategory.ChangeFailure || UndoneBy is not null;
}
