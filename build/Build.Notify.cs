using MeshHook.Build.Engine;
using MeshHook.Deployment;
using MeshHook.Deployment.Notifications;
using MeshHook.Deployment.Stages;

/// <summary>Notify: the outcome of --environment's latest deployment or rollback on its channels (Deploy and Rollback trigger it).</summary>
partial class Build
{
    EnvironmentNotifications? _notifications;

    /// <summary>One per build, so Notify knows what Deploy already announced.</summary>
    EnvironmentNotifications Notifications => _notifications ??= new(RootDirectory, new(RootDirectory, Environment, ReleaseStore, Tools,
        BuildContext.Current.Environment, LocalPrograms.InRepository(RootDirectory, Edge.Assembly), TimeProvider.System,
        new DeploymentLog(Log.Information, Log.Warning)), BuildContext.Current.Environment, SecretMasker, TimeProvider.System, new DeploymentLog(Log.Information, Log.Warning));

    IReadOnlyList<IDeploymentObserver> DeploymentObservers => [Notifications];

    Target Notify => _ => _
        .Description("Announces the outcome of --environment's latest deployment or rollback on its channels (Slack, GitHub, email, webhook); --dry-run prints the payloads")
        .AssuredAfterFailure()
        .Executes(async () => Log.Information(await Notifications.AnnounceAsync(DryRun, CancellationToken)));
}
