using System.Collections.Concurrent;
using MeshHook.Tooling;
using Octokit;
using Octokit.Internal;

namespace MeshHook.Deployment.Notifications.GitHub;

/// <summary>
/// Mirrors each deployment on GitHub: started → a deployment of the release's commit (or the one the Actions job made)
/// with status in_progress; the outcome → success, failure or error with environment_url and log_url; after a success the
/// environment's previous deployment is marked inactive. An automatic rollback is a second deployment, of the previous
/// release's commit, reported success. The GitHub deployment of a run is remembered in this process, else found again
/// by its payload's deploymentId (Notify in a later run).
/// </summary>
public sealed class GitHubNotifier : INotifier
{
    readonly GitHubOptions _options;
    readonly SecretMasker _masker;
    readonly GitHubClient _client;
    readonly ConcurrentDictionary<string, long> _deployments = new(StringComparer.Ordinal);

    public GitHubNotifier(GitHubOptions options, SecretMasker masker, TimeSpan requestTimeout)
    {
        _options = options;
        _masker = masker;
        // This constructor treats any host but github.com as GitHub Enterprise (paths under /api/v3/).
        _client = new GitHubClient(new ProductHeaderValue("meshhook-deploy"), new InMemoryCredentialStore(new Credentials(options.Token)), options.ApiUrl);
        _client.SetRequestTimeout(requestTimeout);
    }

    public string Name => "github";

    IDeploymentsClient Deployments => _client.Repository.Deployment;

    public string Preview(Announcement a)
    {
        var lines = new List<string>();
        var state = GitHubDeploymentRequests.StateOf(a.Kind);
        var repository = $"{_options.Owner}/{_options.Name}";
        if (a.Kind == AnnouncementKind.Warning)
            return "(no request: warnings are not GitHub deployment statuses)";
        if (a.Kind == AnnouncementKind.Started)
            lines.Add($"POST /repos/{repository}/deployments {Serialize(GitHubDeploymentRequests.Create(a, a.Commit ?? a.Release, a.DeploymentId))}");
        lines.Add($"POST /repos/{repository}/deployments/{{id}}/statuses {Serialize(GitHubDeploymentRequests.Status(a, state, Describe(a)))}");
        if (a.Kind == AnnouncementKind.RolledBack && a.PreviousCommit is not null)
        {
            lines.Add($"POST /repos/{repository}/deployments {Serialize(GitHubDeploymentRequests.Create(a with { Release = a.PreviousRelease ?? a.Release, Version = null }, a.PreviousCommit, a.DeploymentId + ":rollback"))}");
            lines.Add($"POST /repos/{repository}/deployments/{{id}}/statuses {Serialize(GitHubDeploymentRequests.Status(a, DeploymentState.Success, $"Rolled back automatically to {a.PreviousRelease}"))}");
        }
        return _masker.Apply(string.Join("\n", lines));
    }

    public async Task SendAsync(Announcement a, CancellationToken cancellationToken)
    {
        if (a.Kind == AnnouncementKind.Warning)
            return;
        // Octokit serialises the requests itself: every free text is masked before it goes in.
        a = a with { Error = Mask(a.Error), Warning = Mask(a.Warning), Actor = _masker.Apply(a.Actor), Stage = Mask(a.Stage) };
        try
        {
            var id = await DeploymentOfAsync(a, a.Commit ?? a.Release, a.DeploymentId, cancellationToken);
            await StatusAsync(id, GitHubDeploymentRequests.Status(a, GitHubDeploymentRequests.StateOf(a.Kind), Describe(a)), cancellationToken);
            if (a.Kind == AnnouncementKind.Succeeded)
                await InactivatePreviousAsync(a, id, cancellationToken);
            if (a.Kind == AnnouncementKind.RolledBack && a.PreviousCommit is not null)
            {
                // A rollback is a new deployment of the old release's commit.
                var back = a with { Release = a.PreviousRelease ?? a.Release, Version = null, Kind = AnnouncementKind.Succeeded };
                var rollbackId = await DeploymentOfAsync(back, a.PreviousCommit, a.DeploymentId + ":rollback", cancellationToken);
                await StatusAsync(rollbackId, GitHubDeploymentRequests.Status(back, DeploymentState.InProgress, $"Rolling back to {a.PreviousRelease}"), cancellationToken);
                await StatusAsync(rollbackId, GitHubDeploymentRequests.Status(back, DeploymentState.Success, $"Rolled back automatically to {a.PreviousRelease}"), cancellationToken);
                await InactivateAsync(id, a, cancellationToken);
            }
        }
        catch (ApiException exception) when ((int)exception.StatusCode is >= 400 and < 500 and not 408 and not 429)
        {
            throw new NotificationRejectedException(_masker.Apply($"github answered {(int)exception.StatusCode}: {exception.Message}"));
        }
    }

    /// <summary>The GitHub deployment of <paramref name="key"/>: remembered, made by the Actions job, found by payload, or created.</summary>
    async Task<long> DeploymentOfAsync(Announcement a, string gitRef, string key, CancellationToken cancellationToken)
    {
        if (_deployments.TryGetValue(key, out var known))
            return known;
        if (_options.ExistingDeploymentId is { } given && key == a.DeploymentId)
            return _deployments[key] = given;

        var recent = await Deployments.GetAll(_options.Owner, _options.Name, new ApiOptions { PageSize = 30, PageCount = 1, StartPage = 1 }).WaitAsync(cancellationToken);
        var mine = recent.FirstOrDefault(x => x.Payload is { } payload && payload.TryGetValue("deploymentId", out var value) && value?.ToString() == key)
                   ?? (_options.InActionsJob && key == a.DeploymentId
                       ? recent.FirstOrDefault(x => x.Environment == a.Environment && x.Sha == gitRef)
                       : null);
        if (mine is not null)
            return _deployments[key] = mine.Id;

        var created = await Deployments.Create(_options.Owner, _options.Name, GitHubDeploymentRequests.Create(a, gitRef, key)).WaitAsync(cancellationToken);
        return _deployments[key] = created.Id;
    }

    Task StatusAsync(long id, NewDeploymentStatus status, CancellationToken cancellationToken) =>
        Deployments.Status.Create(_options.Owner, _options.Name, id, status).WaitAsync(cancellationToken);

    async Task InactivatePreviousAsync(Announcement a, long current, CancellationToken cancellationToken)
    {
        if (!a.IsProduction)
            return; // auto_inactive does it for the others
        var recent = await Deployments.GetAll(_options.Owner, _options.Name, new ApiOptions { PageSize = 30, PageCount = 1, StartPage = 1 }).WaitAsync(cancellationToken);
        if (recent.Where(x => x.Environment == a.Environment && x.Id != current).OrderByDescending(x => x.CreatedAt).FirstOrDefault() is { } previous)
            await InactivateAsync(previous.Id, a, cancellationToken);
    }

    Task InactivateAsync(long id, Announcement a, CancellationToken cancellationToken) =>
        StatusAsync(id, GitHubDeploymentRequests.Status(a, DeploymentState.Inactive, "Superseded"), cancellationToken);

    static string Describe(Announcement a) => a.Kind switch
    {
        AnnouncementKind.Started => $"{a.Verb} of {a.Version ?? a.Release} started by {a.Actor}",
        AnnouncementKind.Succeeded => $"{a.Version ?? a.Release} is live",
        AnnouncementKind.RolledBack => $"Failed at '{a.Stage}', rolled back to {a.PreviousRelease}: {a.Error}",
        AnnouncementKind.Failed => $"Failed{(a.Stage is null ? "" : $" at '{a.Stage}'")}: {a.Error}",
        _ => $"{a.OutcomeWord.ToLowerInvariant()}: {a.Error}",
    };

    string? Mask(string? text) => text is null ? null : _masker.Apply(text);

    static string Serialize(object request) => new SimpleJsonSerializer().Serialize(request);
}
