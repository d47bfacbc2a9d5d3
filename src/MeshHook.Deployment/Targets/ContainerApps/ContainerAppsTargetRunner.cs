using System.Text.Json;
using MeshHook.Deployment.Health;
using MeshHook.Deployment.Migrations;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// The steps of a Container Apps plan that are not ARM calls: verify the release, unpack and run its migrations (the
/// password from DATABASE_URL handed to the Supabase CLI through PGPASSWORD, never its command line), take one revision
/// out of service, check the workers' release on the web's health; everything else goes to <see cref="ContainerAppsStepRunner"/>.
/// </summary>
sealed class ContainerAppsTargetRunner(
    ContainerAppsStepRunner arm,
    ContainerAppsClient client,
    Func<string, ContainerAppId> app,
    ReleaseStore store,
    ToolRunner tools,
    ISecretProvider secrets,
    string? databaseSecret,
    HealthProbe health,
    HealthOptions healthOptions,
    TimeProvider time,
    DeploymentLog log) : IStepRunner
{
    public async Task RunAsync(DeployStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case VerifyRelease verify:
                store.Verify(verify.ReleaseId);
                break;
            case ExtractArtifact extract:
                if (Directory.Exists(extract.Destination))
                    Directory.Delete(extract.Destination, recursive: true);
                ReleaseExtractor.Extract(extract.Archive, extract.Destination);
                break;
            case MigrateDatabase migrate:
                await MigrateAsync(migrate, cancellationToken);
                break;
            case DeactivateRevision deactivate:
                await DeactivateAsync(deactivate, cancellationToken);
                break;
            case VerifyWorkersRelease workers:
                await VerifyWorkersAsync(workers, cancellationToken);
                break;
            default:
                await arm.RunAsync(step, cancellationToken);
                break;
        }
    }

    async Task MigrateAsync(MigrateDatabase migrate, CancellationToken cancellationToken)
    {
        var url = migrate.DatabaseUrl;
        if (url.Contains("${DATABASE_URL}", StringComparison.Ordinal))
        {
            if (databaseSecret is null)
                throw new UserFacingException("The release has migrations but the environment names no database.url secret to run them against.");
            // The provider registers the value with the masker before handing it out.
            url = url.Replace("${DATABASE_URL}", await secrets.GetAsync(databaseSecret, cancellationToken), StringComparison.Ordinal);
        }
        var (withoutPassword, password) = DatabaseUrl.SplitPassword(url);
        await tools.RunAsync(SupabaseMigrations.Push(migrate.SupabaseCli, migrate.Workdir, withoutPassword, password), cancellationToken);
    }

    async Task DeactivateAsync(DeactivateRevision step, CancellationToken cancellationToken)
    {
        var id = app(step.App);
        var current = await client.GetAppAsync(id, cancellationToken);
        if (current.ServingRevisions().Any(x => x.Revision == step.Revision))
            throw new ContainerAppsException($"Revision {step.Revision} of {step.App} receives traffic: it is not deactivated.", resource: id.ResourceId);
        if (current.HasIngress && current.Traffic.Any(x => x.RevisionName == step.Revision))
        {
            var kept = current.Traffic.Where(x => x.RevisionName != step.Revision)
                .Select(x => new TrafficAssignment(x.LatestRevision ? current.LatestReadyRevisionName ?? current.LatestRevisionName! : x.RevisionName!, x.Weight, x.Label))
                .ToList();
            await client.SetTrafficAsync(id, kept, cancellationToken);
        }
        var revision = (await client.ListRevisionsAsync(id, cancellationToken)).FirstOrDefault(x => x.Name == step.Revision);
        if (revision is { Active: true })
            await client.DeactivateRevisionAsync(id, step.Revision, cancellationToken);
    }

    async Task VerifyWorkersAsync(VerifyWorkersRelease step, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + healthOptions.Timeout;
        HealthReport last;
        while (true)
        {
            last = await health.GetAsync(step.HealthUrl, healthOptions.RequestTimeout, cancellationToken);
            var releases = WorkerReleases(last.Body);
            if (releases is null && last.StatusCode == 200)
            {
                log.Information($"    {step.HealthUrl} does not report its workers' releases (details.workers.releases): the workers' revision was checked running instead.");
                return;
            }
            if (releases is not null && releases.Contains(step.ReleaseId))
                return;
            if (time.GetUtcNow() >= deadline)
                break;
            await Task.Delay(healthOptions.Interval, time, cancellationToken);
        }
        throw new UserFacingException(
            $"No worker of {step.ReleaseId} heartbeat within {healthOptions.Timeout.TotalSeconds:0} s: {step.HealthUrl} reports workers of " +
            $"[{string.Join(", ", WorkerReleases(last.Body) ?? [])}] ({last.Describe()}).");
    }

    /// <summary>details.workers.releases of a /health body; null when the body has no such list.</summary>
    internal static IReadOnlyList<string>? WorkerReleases(string? body)
    {
        if (string.IsNullOrEmpty(body))
            return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object
                   && details.TryGetProperty("workers", out var workers) && workers.ValueKind == JsonValueKind.Object
                   && workers.TryGetProperty("releases", out var releases) && releases.ValueKind == JsonValueKind.Array
                ? releases.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
