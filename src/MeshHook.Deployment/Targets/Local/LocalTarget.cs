using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.Local;

/// <summary><c>target.kind: local</c>: this machine, through <see cref="LocalEnvironment"/>.</summary>
public sealed class LocalTarget(LocalEnvironment environment) : IDeploymentTarget
{
    public LocalEnvironment Environment => environment;

    public Journal.IDeploymentJournal Journal => environment.Journal;

    public static LocalTarget Create(DeploymentContext context)
    {
        var configuration = context.Environment;
        var settings = new LocalSettings
        {
            Url = configuration.Url,
            Health = new Health.HealthOptions(configuration.Health.Interval, configuration.Health.Timeout, configuration.Health.RequestTimeout)
            {
                Path = configuration.Health.Path,
            },
            ConfigurationKeys = context.Configuration.Keys,
            SecretKeys = context.Configuration.SecretKeys,
            ExternalDatabase = configuration.Database.Kind == DatabaseKind.External,
            RetainReleases = configuration.Retention.Releases,
            EdgeAssembly = context.Programs.EdgeAssembly,
            PgliteServer = context.Programs.PgliteServer,
            SupabaseCli = context.Programs.SupabaseCli,
            PortRange = configuration.Local is { } local ? (local.PortRange.First, local.PortRange.Last) : null,
        };
        var environment = new LocalEnvironment(LocalLayout.For(context.RepositoryRoot, configuration.Name.ToText()), settings, context.Store,
            context.Tools, context.Configuration, context.Time, context.Log);
        foreach (var observer in context.Observers)
            environment.Observers.Add(observer);
        return new LocalTarget(environment);
    }

    public Task<DeploymentResult?> DeployAsync(ReleaseManifest release, DeployOptions options, CancellationToken cancellationToken) =>
        environment.DeployAsync(release, options, cancellationToken);

    public Task<DeploymentResult?> RollbackAsync(string? releaseId, DeployOptions options, CancellationToken cancellationToken) =>
        environment.RollbackAsync(releaseId, options, cancellationToken);

    public Task<IReadOnlyList<ReleaseRow>> ReleasesAsync(CancellationToken cancellationToken) => Task.FromResult(environment.Releases());

    /// <summary>Repairs what a killed run left first (stale lock, open journal entry), so the status is of a consistent environment.</summary>
    public async Task<EnvironmentStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await environment.RecoverIfInterruptedAsync("status", cancellationToken);
        return await environment.StatusAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => environment.StopAsync(cancellationToken);

    public Task<LockHolder?> UnlockAsync(CancellationToken cancellationToken) => Task.FromResult(environment.Unlock());
}
