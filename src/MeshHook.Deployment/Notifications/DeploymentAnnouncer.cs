using System.Collections.Concurrent;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications;

/// <summary>Links that go into every message: the environment, the run's log, the repository (commit links).</summary>
public sealed record AnnouncementLinks(Uri? EnvironmentUrl = null, Uri? RunUrl = null, Uri? RepositoryUrl = null)
{
    /// <summary>Inside GitHub Actions: the run's page and the repository, from the variables the runner sets.</summary>
    public static AnnouncementLinks From(IReadOnlyDictionary<string, string> variables, Uri? environmentUrl)
    {
        var server = variables.GetValueOrDefault("GITHUB_SERVER_URL") ?? "https://github.com";
        var repository = variables.GetValueOrDefault("GITHUB_REPOSITORY");
        var run = variables.GetValueOrDefault("GITHUB_RUN_ID");
        return new AnnouncementLinks(environmentUrl,
            repository is null || run is null ? null : new Uri($"{server}/{repository}/actions/runs/{run}"),
            repository is null ? null : new Uri($"{server}/{repository}"));
    }
}

/// <summary>
/// Announces deployments on every channel. As an observer of the <see cref="Deployer"/> it announces the start, the
/// warnings (lock waited for or taken over, automatic rollback, migrations that stay) and the outcome; a failure then an
/// automatic rollback gives two messages (FAILED, ROLLED BACK). <see cref="AnnounceLatestAsync"/> (the Notify target)
/// announces the latest deployment of the journal unless this process announced it already, so a deploy that crashed
/// before its outcome was announced is still announced. Delivery problems are warnings in the console and the journal.
/// </summary>
public sealed class DeploymentAnnouncer(NotificationDispatcher dispatcher, IDeploymentJournal journal, Func<string, ReleaseManifest?> releases,
    AnnouncementLinks links, TimeProvider time, DeploymentLog log) : IDeploymentObserver
{
    readonly ConcurrentDictionary<string, bool> _outcomesAnnounced = new(StringComparer.Ordinal);

    /// <summary>The deployment this process started last (Notify after Deploy announces that one).</summary>
    public string? LastStarted { get; private set; }

    public async Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken)
    {
        LastStarted = started.DeploymentId;
        await SendAsync(await FromStartAsync(started, AnnouncementKind.Started, cancellationToken), cancellationToken);
    }

    public async Task WarningAsync(DeploymentWarning warning, CancellationToken cancellationToken) =>
        await SendAsync(await FromStartAsync(warning.Deployment, AnnouncementKind.Warning, cancellationToken) with { Warning = warning.Message }, cancellationToken);

    public async Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken)
    {
        _outcomesAnnounced[finished.Deployment.DeploymentId] = true;
        var start = await FromStartAsync(finished.Deployment, Announcement.FromOutcome(finished.Outcome), cancellationToken);
        await SendOutcomeAsync(start with { Duration = finished.Duration, Stage = finished.Stage, Error = finished.Error }, cancellationToken);
    }

    /// <summary>
    /// The Notify target: the latest deployment or rollback of the journal (or <paramref name="deploymentId"/>), announced
    /// unless already announced by this process. Returns what was done, for the log.
    /// </summary>
    public async Task<string> AnnounceLatestAsync(string? deploymentId, bool dryRun, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var deployments = await journal.ReadDeploymentsAsync(cancellationToken, warnings);
        var record = deploymentId is null ? deployments.LastOrDefault() : deployments.LastOrDefault(x => x.Id == deploymentId);
        if (record is null)
            return deploymentId is null ? "The journal holds no deployment: nothing to announce." : $"Deployment {deploymentId} is not in the journal: nothing to announce.";
        if (!dryRun && _outcomesAnnounced.ContainsKey(record.Id))
            return $"The outcome of {record.Id} was announced already.";

        var start = record.Start;
        var kind = record.IsOpen ? AnnouncementKind.Failed : Announcement.FromOutcome(record.Outcome);
        var failedStage = record.Stages.LastOrDefault(x => x.Outcome is Outcomes.Failed or Outcomes.Cancelled);
        var announcement = await AnnouncementAsync(record.Id, start.Kind ?? "deploy", start.Environment ?? "?", start.Release ?? "?", start.PreviousRelease,
            start.Actor ?? "?", start.Commit, kind, cancellationToken) with
        {
            Duration = (record.Finish?.At ?? time.GetUtcNow()) - start.At,
            Stage = record.Finish?.Stage ?? failedStage?.Stage,
            Error = record.IsOpen ? $"the run ended without finishing (last stage: {record.LastStage ?? "start"})" : record.Finish?.Error,
        };
        if (dryRun)
            return string.Join("\n", Expand(announcement).SelectMany(a => dispatcher.Notifiers.Select(n => $"--- {n.Name}: {a.Title}\n{n.Preview(a)}")))
                   is { Length: > 0 } previews ? previews : "No channel is configured (notifications in environment.json, or SLACK_WEBHOOK_URL, ...): nothing would be sent.";
        _outcomesAnnounced[record.Id] = true;
        await SendOutcomeAsync(announcement, cancellationToken);
        return $"Announced {announcement.Title} on {dispatcher.Notifiers.Count} channel(s).";
    }

    /// <summary>An automatic rollback is told as two messages: the deploy failed, the previous release serves again.</summary>
    static IEnumerable<Announcement> Expand(Announcement outcome) => outcome.Kind == AnnouncementKind.RolledBack
        ? [outcome with { Kind = AnnouncementKind.Failed }, outcome]
        : [outcome];

    async Task SendOutcomeAsync(Announcement outcome, CancellationToken cancellationToken)
    {
        if (outcome.Kind == AnnouncementKind.RolledBack)
        {
            // GitHub reports both in one go (failure, then a deployment of the old commit); the others get two messages.
            await SendAsync(outcome with { Kind = AnnouncementKind.Failed }, cancellationToken, skip: "github");
            await SendAsync(outcome, cancellationToken);
            return;
        }
        await SendAsync(outcome, cancellationToken);
    }

    async Task SendAsync(Announcement announcement, CancellationToken cancellationToken, string? skip = null)
    {
        log.Information(announcement.Title);
        var channels = skip is null ? dispatcher : dispatcher.Without(skip);
        foreach (var warning in await channels.SendAsync(announcement, cancellationToken))
        {
            try
            {
                await journal.AppendAsync(new JournalEntry
                {
                    Type = "notification", DeploymentId = announcement.DeploymentId, At = time.GetUtcNow(), Outcome = Outcomes.Failed, Error = warning,
                }, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                log.Warning($"Could not write the notification warning to the journal: {exception.Message}");
            }
        }
    }

    Task<Announcement> FromStartAsync(DeploymentStarted started, AnnouncementKind kind, CancellationToken cancellationToken) =>
        AnnouncementAsync(started.DeploymentId, started.Kind.ToString().ToLowerInvariant(), started.Environment, started.ReleaseId, started.PreviousReleaseId,
            started.Actor, started.Commit, kind, cancellationToken);

    async Task<Announcement> AnnouncementAsync(string id, string deploymentKind, string environment, string release, string? previous, string actor,
        string? commit, AnnouncementKind kind, CancellationToken cancellationToken)
    {
        var manifest = releases(release);
        var previousManifest = previous is null ? null : releases(previous);
        var previousCommit = previousManifest?.Commit;
        if (previous is not null && previousCommit is null)
        {
            // The previous release's commit as its own deploy recorded it.
            var deployments = await journal.ReadDeploymentsAsync(cancellationToken);
            previousCommit = deployments.LastOrDefault(x => x.Release == previous && x.Start.Commit is not null)?.Start.Commit;
        }
        var migrations = manifest?.Migrations ?? [];
        if (previousManifest is not null)
            migrations = migrations.Except(previousManifest.Migrations).ToList();
        return new Announcement
        {
            Kind = kind, DeploymentId = id, DeploymentKind = deploymentKind, Environment = environment, Release = release,
            Version = manifest?.Version, Commit = commit ?? manifest?.Commit, PreviousRelease = previous, PreviousCommit = previousCommit,
            Actor = actor, At = time.GetUtcNow(), Migrations = deploymentKind == "rollback" ? [] : migrations,
            EnvironmentUrl = links.EnvironmentUrl, RunUrl = links.RunUrl, RepositoryUrl = links.RepositoryUrl,
        };
    }
}
