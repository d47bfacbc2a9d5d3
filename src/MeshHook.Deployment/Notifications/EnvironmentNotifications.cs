using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Notifications;

/// <summary>
/// An environment's notifications as one observer: its channels are set up (secrets resolved and masked) the first time
/// something is announced, so a build that never deploys never reads a secret. Deploy and Rollback observe through it;
/// Notify announces the outcome through it.
/// </summary>
public sealed class EnvironmentNotifications(string root, EnvironmentOperations operations, IReadOnlyDictionary<string, string> variables,
    SecretMasker masker, TimeProvider time, DeploymentLog log) : IDeploymentObserver
{
    static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };
    readonly SemaphoreSlim _gate = new(1, 1);
    DeploymentAnnouncer? _announcer;
    int _channels;

    public DeliveryPolicy Policy { get; init; } = new();

    public async Task<DeploymentAnnouncer> AnnouncerAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_announcer is not null)
                return _announcer;
            var configuration = operations.Configuration;
            var secrets = SecretProviders.Create(configuration, root, variables, masker, time);
            var notifiers = await NotificationChannels.CreateAsync(configuration, secrets, variables, Http, masker, time, Policy, cancellationToken, log.Warning);
            _channels = notifiers.Count;
            return _announcer = new DeploymentAnnouncer(new NotificationDispatcher(notifiers, Policy, time, log, masker), operations.Journal,
                operations.FindRelease, AnnouncementLinks.From(variables, configuration.Url), time, log);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StartedAsync(DeploymentStarted started, CancellationToken cancellationToken) =>
        await (await AnnouncerAsync(cancellationToken)).StartedAsync(started, cancellationToken);

    public async Task WarningAsync(DeploymentWarning warning, CancellationToken cancellationToken) =>
        await (await AnnouncerAsync(cancellationToken)).WarningAsync(warning, cancellationToken);

    public async Task FinishedAsync(DeploymentFinished finished, CancellationToken cancellationToken) =>
        await (await AnnouncerAsync(cancellationToken)).FinishedAsync(finished, cancellationToken);

    /// <summary>The Notify target: the deployment this build started, else the journal's latest; <paramref name="dryRun"/> prints the payloads.</summary>
    public async Task<string> AnnounceAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var announcer = await AnnouncerAsync(cancellationToken);
        // Without a channel there is nothing to send, and no reason to read the journal (for a cloud environment that needs
        // an Azure sign-in a dry run or a laptop may not have).
        if (_channels == 0)
            return $"No notification channel is set up for {operations.Configuration.Name.ToText()} here (console and journal only): nothing to announce.";
        return masker.Apply(await announcer.AnnounceLatestAsync(announcer.LastStarted, dryRun, cancellationToken));
    }
}
