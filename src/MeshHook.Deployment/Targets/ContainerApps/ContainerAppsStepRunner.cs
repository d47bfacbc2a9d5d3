using MeshHook.Deployment.Health;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// Runs the Container Apps steps with <see cref="ContainerAppsClient"/>; URL checks go through <see cref="HealthProbe"/>.
/// Apps are named by the steps and found in <paramref name="subscriptionId"/>/<paramref name="resourceGroup"/>.
/// </summary>
public sealed class ContainerAppsStepRunner(
    ContainerAppsClient client,
    string subscriptionId,
    string resourceGroup,
    HealthProbe health,
    Health.HealthOptions healthOptions,
    Action<string>? log = null) : IStepRunner
{
    public async Task RunAsync(DeployStep step, CancellationToken cancellationToken)
    {
        log?.Invoke(step.Describe());
        switch (step)
        {
            case CreateRevision create:
                await client.CreateRevisionAsync(App(create.App), new NewRevision(create.Image, create.Suffix, create.Label), cancellationToken);
                break;
            case WaitForRevision wait:
                await client.WaitUntilRevisionRunningAsync(App(wait.App), wait.Revision, wait.Timeout, cancellationToken);
                break;
            case VerifyRevisionUrl verify:
                await VerifyAsync(verify, cancellationToken);
                break;
            case WaitForHealth wait:
                var (healthy, last) = await health.WaitAsync(new Uri(wait.Url, healthOptions.Path), wait.Version, healthOptions, cancellationToken);
                if (!healthy)
                    throw new ContainerAppsException($"{wait.Name} at {wait.Url} did not report version {wait.Version} within {healthOptions.Timeout.TotalSeconds:0} s: {last.Describe()}.");
                break;
            case ShiftTraffic shift:
                await ShiftAsync(shift, cancellationToken);
                break;
            case DeactivateRevisions deactivate:
                await DeactivateAsync(deactivate, cancellationToken);
                break;
            case ActivateRevision activate:
                await client.ActivateRevisionAsync(App(activate.App), activate.Revision, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"The Container Apps target cannot run the step '{step.Describe()}' ({step.GetType().Name}).");
        }
    }

    ContainerAppId App(string name) => new(subscriptionId, resourceGroup, name);

    async Task VerifyAsync(VerifyRevisionUrl verify, CancellationToken cancellationToken)
    {
        var app = await client.GetAppAsync(App(verify.App), cancellationToken);
        if (app.Fqdn is null)
            throw new ContainerAppsException($"{App(verify.App)} has no ingress FQDN: its revision '{verify.Label}' has no URL to verify.");
        var url = ContainerAppsApi.LabelUrl(verify.App, app.Fqdn, verify.Label);
        var (healthy, last) = await health.WaitAsync(new Uri(url, healthOptions.Path), verify.ReleaseId, healthOptions, cancellationToken);
        if (!healthy)
            throw new ContainerAppsException(
                $"The revision labelled '{verify.Label}' at {url} did not report release {verify.ReleaseId} within {healthOptions.Timeout.TotalSeconds:0} s: " +
                $"{last.Describe()}. The traffic was not moved.");
    }

    async Task ShiftAsync(ShiftTraffic shift, CancellationToken cancellationToken)
    {
        if (shift.Weight is < 1 or > 100)
            throw new ContainerAppsException($"A traffic shift gives 1-100 % to {shift.Revision}; got {shift.Weight}.");
        var id = App(shift.App);
        var app = await client.GetAppAsync(id, cancellationToken);
        // The revision that served most of the traffic until now is the one an instant rollback returns to.
        var previous = app.ServingRevisions().Where(s => s.Revision != shift.Revision).OrderByDescending(s => s.Weight).Select(s => s.Revision).FirstOrDefault();
        string? LabelOf(string revision) =>
            app.Traffic.FirstOrDefault(t => t.RevisionName == revision && t.Label is not null && t.Label != shift.PreviousLabel)?.Label;
        var traffic = new List<TrafficAssignment> { new(shift.Revision, previous is null ? 100 : shift.Weight, LabelOf(shift.Revision)) };
        if (previous is not null)
            traffic.Add(new TrafficAssignment(previous, 100 - traffic[0].Weight, shift.PreviousLabel ?? LabelOf(previous)));
        await client.SetTrafficAsync(id, traffic, cancellationToken);
    }

    async Task DeactivateAsync(DeactivateRevisions deactivate, CancellationToken cancellationToken)
    {
        var id = App(deactivate.App);
        var revisions = await client.ListRevisionsAsync(id, cancellationToken);
        var app = await client.GetAppAsync(id, cancellationToken);
        var serving = app.ServingRevisions().Select(s => s.Revision).ToHashSet();
        var retired = revisions.Where(r => r.Active && !deactivate.Keep.Contains(r.Name) && !serving.Contains(r.Name) && r.TrafficWeight == 0)
            .Select(r => r.Name).ToHashSet();
        // A label on a revision being deactivated would point nowhere: drop those entries first.
        if (app.HasIngress && app.Traffic.Any(t => t.RevisionName is not null && retired.Contains(t.RevisionName)))
        {
            var kept = app.Traffic.Where(t => t.RevisionName is null || !retired.Contains(t.RevisionName))
                .Select(t => new TrafficAssignment(t.LatestRevision ? app.LatestReadyRevisionName ?? app.LatestRevisionName! : t.RevisionName!, t.Weight, t.Label))
                .ToList();
            await client.SetTrafficAsync(id, kept, cancellationToken);
        }
        foreach (var revision in retired.Order(StringComparer.Ordinal))
        {
            log?.Invoke($"deactivate revision {revision} of {deactivate.App}");
            await client.DeactivateRevisionAsync(id, revision, cancellationToken);
        }
    }
}
