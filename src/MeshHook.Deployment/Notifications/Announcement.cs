using MeshHook.Deployment.Journal;

namespace MeshHook.Deployment.Notifications;

/// <summary>What a message announces.</summary>
public enum AnnouncementKind
{
    Started,
    Succeeded,
    Failed,

    /// <summary>The previous release is serving again after a failed deploy (automatic rollback).</summary>
    RolledBack,
    Cancelled,
    Warning,
}

/// <summary>
/// One message about one deployment, the same for every channel (each renders it its own way): what happened, to which
/// release of which environment, by whom, how long it took, with links. Built from the journal and the release manifests.
/// </summary>
public sealed record Announcement
{
    public const string Application = "meshhook";

    public required AnnouncementKind Kind { get; init; }
    public required string DeploymentId { get; init; }

    /// <summary>deploy or rollback (by hand).</summary>
    public required string DeploymentKind { get; init; }
    public required string Environment { get; init; }
    public required string Release { get; init; }
    public string? Version { get; init; }
    public string? Commit { get; init; }
    public string? PreviousRelease { get; init; }

    /// <summary>The commit of <see cref="PreviousRelease"/> (a rollback deploys it again).</summary>
    public string? PreviousCommit { get; init; }
    public required string Actor { get; init; }
    public required DateTimeOffset At { get; init; }
    public TimeSpan? Duration { get; init; }
    public IReadOnlyList<string> Migrations { get; init; } = [];
    public string? Stage { get; init; }
    public string? Error { get; init; }

    /// <summary>The warning's text (for <see cref="AnnouncementKind.Warning"/>).</summary>
    public string? Warning { get; init; }

    public Uri? EnvironmentUrl { get; init; }

    /// <summary>Where the run's log is (the GitHub Actions run, when there is one).</summary>
    public Uri? RunUrl { get; init; }
    public Uri? RepositoryUrl { get; init; }
    public bool IsProduction => Environment == "production";

    /// <summary>FAILED, SUCCEEDED...: the word subjects and headers use.</summary>
    public string OutcomeWord => Kind switch
    {
        AnnouncementKind.Started => "STARTED",
        AnnouncementKind.Succeeded => "SUCCEEDED",
        AnnouncementKind.Failed => "FAILED",
        AnnouncementKind.RolledBack => "ROLLED BACK",
        AnnouncementKind.Cancelled => "CANCELLED",
        _ => "WARNING",
    };

    public string Emoji => Kind switch
    {
        AnnouncementKind.Started => "🚀",
        AnnouncementKind.Succeeded => "✅",
        AnnouncementKind.Failed => "❌",
        AnnouncementKind.RolledBack => "↩️",
        AnnouncementKind.Cancelled => "⏹️",
        _ => "⚠️",
    };

    /// <summary>"Deploy" or "Rollback", as a verb in titles.</summary>
    public string Verb => DeploymentKind == "rollback" ? "Rollback" : "Deploy";

    /// <summary>One line: "❌ meshhook Deploy 1.0.2 (r-...) → production FAILED".</summary>
    public string Title => $"{Emoji} {Application} {Verb} {Version ?? Release} → {Environment} {OutcomeWord}";

    public string? CommitUrl => Commit is null || RepositoryUrl is null ? null : $"{RepositoryUrl.ToString().TrimEnd('/')}/commit/{Commit}";

    /// <summary>The text of the message, one fact a line (fallbacks, plain-text email, console).</summary>
    public string Summary()
    {
        var lines = new List<string> { Title };
        if (Warning is not null)
            lines.Add(Warning);
        if (Kind == AnnouncementKind.RolledBack)
            lines.Add($"{PreviousRelease ?? "the previous release"} is serving again; {Release} failed{(Stage is null ? "" : $" at '{Stage}'")}.");
        if (Error is not null && Kind != AnnouncementKind.Warning)
            lines.Add($"Error{(Stage is null ? "" : $" at '{Stage}'")}: {Error}");
        lines.Add($"Environment: {Environment}");
        lines.Add($"Release: {Release}{(Version is null ? "" : $" ({Version})")}");
        if (Commit is not null)
            lines.Add($"Commit: {Commit}");
        lines.Add($"Actor: {Actor}");
        if (Duration is { } duration)
            lines.Add($"Duration: {FormatDuration(duration)}");
        lines.Add($"Migrations applied: {(Migrations.Count == 0 ? "none" : string.Join(", ", Migrations))}");
        lines.Add($"Previous release: {PreviousRelease ?? "none"}");
        if (EnvironmentUrl is not null)
            lines.Add($"URL: {EnvironmentUrl}");
        if (RunUrl is not null)
            lines.Add($"Run: {RunUrl}");
        lines.Add($"Deployment: {DeploymentId}");
        return string.Join("\n", lines);
    }

    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes} min {duration.Seconds} s" : $"{duration.TotalSeconds:0.0} s";

    /// <summary>The kind of message a journal outcome gives.</summary>
    public static AnnouncementKind FromOutcome(string? outcome) => outcome switch
    {
        Outcomes.Succeeded or Outcomes.NoChange => AnnouncementKind.Succeeded,
        Outcomes.RolledBack => AnnouncementKind.RolledBack,
        Outcomes.Cancelled => AnnouncementKind.Cancelled,
        _ => AnnouncementKind.Failed,
    };
}
