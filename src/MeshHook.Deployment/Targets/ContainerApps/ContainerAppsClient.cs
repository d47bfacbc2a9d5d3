using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// Container Apps revisions through the Microsoft.App REST API (api-version <see cref="ContainerAppsApi.ApiVersion"/>) on
/// Azure.Core's <see cref="HttpPipeline"/>: bearer token for <see cref="ContainerAppsApi.Scope"/>, retries of 429/5xx with
/// backoff honouring Retry-After (<see cref="ClientOptions.Retry"/>), long-running operations polled as ARM says
/// (Azure-AsyncOperation first, else Location, Retry-After between polls) within <see cref="ContainerAppsClientOptions.OperationTimeout"/>.
/// </summary>
public sealed class ContainerAppsClient
{
    readonly HttpPipeline pipeline;
    readonly ContainerAppsClientOptions options;
    readonly Uri endpoint;

    public ContainerAppsClient(TokenCredential credential, ContainerAppsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        this.options = options ?? new ContainerAppsClientOptions();
        this.options.Validate();
        endpoint = this.options.Endpoint.AbsoluteUri.EndsWith('/') ? this.options.Endpoint : new Uri(this.options.Endpoint.AbsoluteUri + "/");
        pipeline = HttpPipelineBuilder.Build(this.options,
            perCallPolicies: [],
            perRetryPolicies: [new BearerTokenAuthenticationPolicy(new ExplainedCredential(credential), ContainerAppsApi.Scope)],
            new ResponseClassifier());
    }

    public async Task<ContainerApp> GetAppAsync(ContainerAppId app, CancellationToken cancellationToken)
    {
        var body = await SendAsync(RequestMethod.Get, AppUri(app), null, $"read {app}", app.ResourceId, cancellationToken);
        return ContainerApp.FromJson(body.AsObject());
    }

    public async Task<Revision> GetRevisionAsync(ContainerAppId app, string revision, CancellationToken cancellationToken)
    {
        var body = await SendAsync(RequestMethod.Get, RevisionUri(app, revision), null, $"read revision {revision}", $"{app.ResourceId}/revisions/{revision}", cancellationToken);
        return Revision.FromJson(body.AsObject());
    }

    /// <summary>Every revision of the app, following <c>nextLink</c>.</summary>
    public async Task<IReadOnlyList<Revision>> ListRevisionsAsync(ContainerAppId app, CancellationToken cancellationToken)
    {
        var revisions = new List<Revision>();
        Uri? page = Api($"{app.ResourceId}/revisions");
        for (var pages = 0; page is not null; pages++)
        {
            if (pages == 1000)
                throw new ContainerAppsException($"The revision list of {app} did not end after 1000 pages (a nextLink loop).", resource: app.ResourceId);
            var body = await SendAsync(RequestMethod.Get, page, null, $"list the revisions of {app}", app.ResourceId, cancellationToken);
            revisions.AddRange((body["value"] as JsonArray ?? []).OfType<JsonObject>().Select(Revision.FromJson));
            var next = (string?)body["nextLink"];
            page = string.IsNullOrEmpty(next) ? null : SameService(new Uri(next), "nextLink");
        }
        return revisions;
    }

    /// <summary>
    /// PATCHes the app's template with <see cref="NewRevision.Image"/> and <see cref="NewRevision.Suffix"/>: a new revision.
    /// Traffic stays where it is: entries that follow the latest revision are pinned to the revision they serve now, and
    /// the new one joins at 0 % with its label (labels need multiple-revision mode). Returns the new revision's name.
    /// </summary>
    public async Task<string> CreateRevisionAsync(ContainerAppId app, NewRevision revision, CancellationToken cancellationToken)
    {
        revision.Validate(app);
        var name = app.RevisionName(revision.Suffix);
        var current = await GetAppAsync(app, cancellationToken);
        if (current.HasIngress && !current.IsMultipleRevisionMode)
            throw new ContainerAppsException(
                $"{app} runs in {current.ActiveRevisionsMode} revision mode, so a new revision would take the traffic at once. " +
                "Set active_revisions_mode = \"Multiple\" on it in infra/ and apply; then deploy again.", resource: app.ResourceId);
        if (revision.Label is not null && !current.HasIngress)
            throw new ContainerAppsException($"{app} has no ingress, so its revisions cannot have a label ('{revision.Label}').", resource: app.ResourceId);

        var properties = current.Body["properties"]?.AsObject() ?? throw new ContainerAppsException($"ARM returned {app} without properties.", resource: app.ResourceId);
        var template = properties["template"]?.DeepClone().AsObject() ?? throw new ContainerAppsException($"ARM returned {app} without a template.", resource: app.ResourceId);
        var containers = (template["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var container = revision.Container is null
            ? containers.Count == 1 ? containers[0] : null
            : containers.FirstOrDefault(c => (string?)c["name"] == revision.Container);
        if (container is null)
            throw new ContainerAppsException(
                $"{app} has the containers [{string.Join(", ", containers.Select(c => (string?)c["name"]))}]; " +
                (revision.Container is null ? "name the one to update." : $"none is called '{revision.Container}'."), resource: app.ResourceId);
        container["image"] = revision.Image;
        template["revisionSuffix"] = revision.Suffix;

        var update = new JsonObject { ["template"] = template };
        if (current.HasIngress)
        {
            var serving = current.ServingRevisions();
            var traffic = serving.Select(s => new TrafficAssignment(s.Revision, s.Weight,
                    current.Traffic.FirstOrDefault(t => t.RevisionName == s.Revision && t.Label is not null && t.Label != revision.Label)?.Label))
                .Concat(current.Traffic.Where(t => t is { Weight: 0, LatestRevision: false, Label: not null } && t.Label != revision.Label && t.RevisionName is not null)
                    .Select(t => new TrafficAssignment(t.RevisionName!, 0, t.Label)))
                .Append(new TrafficAssignment(name, 0, revision.Label))
                .ToList();
            update["configuration"] = new JsonObject { ["ingress"] = IngressWith(current, traffic) };
        }
        await SendLongRunningAsync(RequestMethod.Patch, AppUri(app), new JsonObject { ["properties"] = update },
            $"create revision {name} ({revision.Image})", app.ResourceId, cancellationToken);
        return name;
    }

    /// <summary>Sets the app's traffic to exactly <paramref name="traffic"/> (weights summing to 100, labels unique).</summary>
    public async Task SetTrafficAsync(ContainerAppId app, IReadOnlyList<TrafficAssignment> traffic, CancellationToken cancellationToken)
    {
        if (traffic.Count == 0 || traffic.Sum(t => t.Weight) != 100 || traffic.Any(t => t.Weight is < 0 or > 100))
            throw new ContainerAppsException($"Traffic for {app} must have weights from 0 to 100 that sum to 100; got [{string.Join(", ", traffic.Select(t => t.Describe()))}].");
        var duplicate = traffic.Where(t => t.Label is not null).GroupBy(t => t.Label).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ContainerAppsException($"Traffic for {app} gives the label '{duplicate.Key}' to more than one revision.");
        foreach (var label in traffic.Select(t => t.Label).OfType<string>())
            if (!NewRevision.LabelPattern().IsMatch(label))
                throw new ContainerAppsException($"'{label}' is not a traffic label: lower-case letters, digits and '-', starting with a letter.");
        var current = await GetAppAsync(app, cancellationToken);
        if (!current.HasIngress)
            throw new ContainerAppsException($"{app} has no ingress: it has no traffic to set.", resource: app.ResourceId);
        var update = new JsonObject { ["configuration"] = new JsonObject { ["ingress"] = IngressWith(current, traffic) } };
        await SendLongRunningAsync(RequestMethod.Patch, AppUri(app), new JsonObject { ["properties"] = update },
            $"set the traffic of {app.Name} to {string.Join(", ", traffic.Select(t => t.Describe()))}", app.ResourceId, cancellationToken);
    }

    public Task ActivateRevisionAsync(ContainerAppId app, string revision, CancellationToken cancellationToken) =>
        RevisionActionAsync(app, revision, "activate", cancellationToken);

    public Task DeactivateRevisionAsync(ContainerAppId app, string revision, CancellationToken cancellationToken) =>
        RevisionActionAsync(app, revision, "deactivate", cancellationToken);

    public Task RestartRevisionAsync(ContainerAppId app, string revision, CancellationToken cancellationToken) =>
        RevisionActionAsync(app, revision, "restart", cancellationToken);

    /// <summary>
    /// Polls the revision until it is provisioned and running. Fails at once when provisioning failed or it runs Failed or
    /// Degraded, or when it is inactive; fails after <paramref name="timeout"/> with the state last seen.
    /// </summary>
    public async Task<Revision> WaitUntilRevisionRunningAsync(ContainerAppId app, string revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = options.Time;
        var started = time.GetUtcNow();
        while (true)
        {
            var state = await GetRevisionAsync(app, revision, cancellationToken);
            if (state.IsRunning)
                return state;
            if (state.HasFailed || !state.Active)
                throw new ContainerAppsException($"Revision {revision} of {app} will not run: {state.Describe()}. Its logs: " +
                    $"az containerapp logs show -n {app.Name} -g {app.ResourceGroup} --revision {revision}", code: "RevisionFailed", resource: $"{app.ResourceId}/revisions/{revision}");
            var waited = time.GetUtcNow() - started;
            if (waited >= timeout)
                throw new ContainerAppsException($"Revision {revision} of {app} was not running after {Seconds(waited)} (limit {Seconds(timeout)}): {state.Describe()}.",
                    code: "RevisionTimeout", resource: $"{app.ResourceId}/revisions/{revision}");
            var delay = options.RevisionPollInterval < timeout - waited ? options.RevisionPollInterval : timeout - waited;
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    async Task RevisionActionAsync(ContainerAppId app, string revision, string action, CancellationToken cancellationToken) =>
        await SendAsync(RequestMethod.Post, Api($"{app.ResourceId}/revisions/{Uri.EscapeDataString(revision)}/{action}"), null,
            $"{action} revision {revision}", $"{app.ResourceId}/revisions/{revision}", cancellationToken);

    static JsonObject IngressWith(ContainerApp app, IReadOnlyList<TrafficAssignment> traffic)
    {
        // The whole ingress as ARM reported it, only traffic replaced: what Terraform set (ports, transport) stays.
        var ingress = app.Body["properties"]!["configuration"]!["ingress"]!.DeepClone().AsObject();
        ingress.Remove("fqdn");
        var entries = new JsonArray();
        foreach (var entry in traffic)
        {
            var json = new JsonObject { ["revisionName"] = entry.RevisionName, ["weight"] = entry.Weight };
            if (entry.Label is not null)
                json["label"] = entry.Label;
            entries.Add(json);
        }
        ingress["traffic"] = entries;
        return ingress;
    }

    Uri AppUri(ContainerAppId app) => Api(app.ResourceId);

    Uri RevisionUri(ContainerAppId app, string revision) => Api($"{app.ResourceId}/revisions/{Uri.EscapeDataString(revision)}");

    Uri Api(string resourcePath) =>
        new(endpoint, string.Join('/', resourcePath.TrimStart('/').Split('/').Select(Uri.EscapeDataString)) + "?api-version=" + ContainerAppsApi.ApiVersion);

    /// <summary>Poll and page URLs come from ARM's answers; the token goes only to the service it is for.</summary>
    Uri SameService(Uri url, string what) =>
        Uri.Compare(url, endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? url
            : throw new ContainerAppsException($"ARM's {what} points at {url.GetLeftPart(UriPartial.Authority)}, not {endpoint.GetLeftPart(UriPartial.Authority)}: not followed (the access token would go there).");

    async Task<JsonNode> SendAsync(RequestMethod method, Uri uri, JsonObject? body, string operation, string resource, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(method, uri, body);
        await pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        if (response.Status >= 400)
            throw Failure(response, operation, resource);
        return ParseBody(response) ?? new JsonObject();
    }

    async Task SendLongRunningAsync(RequestMethod method, Uri uri, JsonObject body, string operation, string resource, CancellationToken cancellationToken)
    {
        var time = options.Time;
        Uri? pollUrl;
        bool asyncOperation;
        TimeSpan delay;
        using (var message = CreateMessage(method, uri, body))
        {
            await pipeline.SendAsync(message, cancellationToken);
            var response = message.Response;
            if (response.Status >= 400)
                throw Failure(response, operation, resource);
            var asyncHeader = Header(response, "Azure-AsyncOperation");
            var location = Header(response, "Location");
            if (asyncHeader is null && location is null)
            {
                // Finished at once unless the resource says it is still provisioning without telling where to poll.
                var state = (string?)ParseBody(response)?["properties"]?["provisioningState"];
                if (state is "Failed" or "Canceled")
                    throw new ContainerAppsException($"{operation} on {resource} ended {state}.", code: state, resource: resource);
                return;
            }
            asyncOperation = asyncHeader is not null;
            pollUrl = SameService(new Uri(asyncHeader ?? location!), asyncOperation ? "Azure-AsyncOperation" : "Location");
            delay = RetryAfter(response) ?? options.OperationPollInterval;
        }

        var started = time.GetUtcNow();
        var lastStatus = "Accepted";
        for (var polls = 0; ; polls++)
        {
            var waited = time.GetUtcNow() - started;
            if (waited >= options.OperationTimeout)
                throw new ContainerAppsException(
                    $"'{operation}' on {resource} did not finish within {Seconds(options.OperationTimeout)}: waited {Seconds(waited)} over {polls} polls of " +
                    $"{pollUrl.GetLeftPart(UriPartial.Path)}, last status {lastStatus}. Azure may still complete it: look at the app's revisions " +
                    "(az containerapp revision list) before deploying again.", code: "OperationTimeout", resource: resource);
            var remaining = options.OperationTimeout - waited;
            await Task.Delay(delay < remaining ? delay : remaining, time, cancellationToken);

            using var poll = CreateMessage(RequestMethod.Get, pollUrl, null);
            await pipeline.SendAsync(poll, cancellationToken);
            var response = poll.Response;
            if (response.Status >= 400)
                throw Failure(response, $"{operation} (polling its status)", resource);
            delay = RetryAfter(response) ?? options.OperationPollInterval;
            if (asyncOperation)
            {
                var status = ParseBody(response);
                lastStatus = (string?)status?["status"] ?? "unknown";
                if (lastStatus.Equals("Succeeded", StringComparison.OrdinalIgnoreCase))
                    return;
                if (lastStatus is "Failed" or "Canceled" or "failed" or "canceled")
                {
                    var error = status?["error"];
                    throw new ContainerAppsException(
                        $"'{operation}' on {resource} ended {lastStatus}: {(string?)error?["code"] ?? "no error code"}: {(string?)error?["message"] ?? "no message"}",
                        code: (string?)error?["code"] ?? lastStatus, resource: resource);
                }
            }
            else if (response.Status != 202)
                return;
            else
                lastStatus = "Accepted";
        }
    }

    HttpMessage CreateMessage(RequestMethod method, Uri uri, JsonObject? body)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        message.Request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            message.Request.Headers.Add("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }
        return message;
    }

    ContainerAppsException Failure(Response response, string operation, string resource)
    {
        var error = ParseBody(response)?["error"];
        var code = (string?)error?["code"];
        var text = (string?)error?["message"] ?? (string.IsNullOrEmpty(response.ReasonPhrase) ? "no message" : response.ReasonPhrase);
        var said = $"HTTP {response.Status}{(code is null ? "" : " " + code)}: {text}";
        var scope = resource.Contains("/providers/", StringComparison.Ordinal) ? resource[..resource.IndexOf("/providers/", StringComparison.Ordinal)] : resource;
        var advice = response.Status switch
        {
            401 or 403 => $" The deploy identity needs the role \"{options.DeployerRole}\" on {scope} (infra/access.tf assigns it to the " +
                          "deploy identity; an administrator's apply of infra/ creates it). Check it with `az role assignment list --assignee <AZURE_CLIENT_ID> --scope " +
                          $"{scope}`.",
            404 => " Does the environment's infrastructure exist? TerraformApply creates the container apps; target.resourceGroup, webApp and workerApp of " +
                   "environment.json must name them.",
            429 => " ARM kept throttling after the retries; deploy again in a few minutes.",
            _ => "",
        };
        return new ContainerAppsException($"Could not {operation} ({resource}): {said}.{advice}", code, response.Status, resource);
    }

    static JsonNode? ParseBody(Response response)
    {
        if (response.Content is null || response.Content.ToMemory().IsEmpty)
            return null;
        try
        {
            return JsonNode.Parse(response.Content.ToMemory().Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string? Header(Response response, string name) => response.Headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>Retry-After in seconds (ARM's form) or as an HTTP date.</summary>
    TimeSpan? RetryAfter(Response response)
    {
        var value = Header(response, "Retry-After");
        if (value is null)
            return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - options.Time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
