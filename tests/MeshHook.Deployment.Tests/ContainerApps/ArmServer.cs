using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MeshHook.Deployment.Targets.ContainerApps;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;
using Request = WireMock.RequestBuilders.Request;

namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>What becomes of a revision once its first polls (provisioning, activating) are over.</summary>
public enum RevisionFate
{
    Runs,
    /// <summary>Provisioned, but activating and unhealthy for as long as anyone asks.</summary>
    NeverHealthy,
    Degraded,
    FailsProvisioning,
}

/// <summary>One request the server received, as sent.</summary>
public sealed record ArmRequest(string Method, string Host, string Path, string? ApiVersion, string? Authorization, string? Body)
{
    public JsonObject Json => JsonNode.Parse(Body ?? "{}")!.AsObject();
}

/// <summary>
/// A loopback ARM for Microsoft.App (api-version 2025-01-01) over HTTPS (bearer tokens are refused over http): apps and
/// revisions as state, a PATCH of the template makes a revision (provisioning → running over polls), PATCHes answer as a
/// long-running operation (202, Azure-AsyncOperation, Location, Retry-After), revisions list in pages with nextLink. It also
/// serves each revision's label URL <c>https://{app}---{label}.{domain}/health</c> (reporting the release in its image tag)
/// to a client that connects to it (see <see cref="HealthClient"/>). It can throttle (429 with Retry-After), refuse (403),
/// keep a revision from running, and never finish an operation. Every request is recorded.
/// </summary>
public sealed partial class ArmServer : IDisposable
{
    public const string Subscription = "5f0c1c9e-0000-4000-8000-00000000a11c", ResourceGroup = "rg-meshhook-test",
        Domain = "blue-sky-1234.westeurope.azurecontainerapps.io", Location = "westeurope";

    readonly WireMockServer server;
    readonly X509Certificate2 certificate;
    readonly Lock gate = new();
    readonly List<ArmRequest> requests = [];
    readonly Dictionary<string, FakeApp> apps = [];
    readonly Dictionary<string, FakeOperation> operations = [];
    int nextOperation, throttled;
    DateTimeOffset clock = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    readonly string resourceGroup;
    readonly List<RequestHold> holds = [];

    /// <param name="resourceGroup">The one resource group it knows (a test of the committed staging environment.json uses its own).</param>
    public ArmServer(string resourceGroup = ResourceGroup)
    {
        this.resourceGroup = resourceGroup;
        certificate = X509CertificateLoader.LoadPkcs12(SharedCertificate.Value, null);
        var port = FreePort();
        server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"https://127.0.0.1:{port}"],
            CertificateSettings = new WireMockCertificateSettings { X509Certificate = certificate },
        });
        server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Handle));
    }

    /// <summary>Its certificate (PEM), for a client that pins it.</summary>
    public string CertificatePem => certificate.ExportCertificatePem();

    public Uri Endpoint => new($"https://127.0.0.1:{server.Ports[0]}/");

    /// <summary>Polls a new revision spends provisioning before its fate shows.</summary>
    public int PollsUntilRunning { get; set; } = 2;

    /// <summary>Polls an operation stays InProgress; <see cref="NeverFinishOperations"/> keeps it there.</summary>
    public int OperationPolls { get; set; } = 1;

    public bool NeverFinishOperations { get; set; }

    /// <summary>Retry-After (seconds) on operation answers.</summary>
    public int OperationRetryAfter { get; set; } = 3;

    /// <summary>When false, operations are announced with a Location header only.</summary>
    public bool SendAsyncOperationHeader { get; set; } = true;

    public int PageSize { get; set; } = 2;

    /// <summary>Status of every ARM request (health requests excepted), e.g. 403 to play a missing role assignment.</summary>
    public int? Refuse { get; set; }

    public Dictionary<string, RevisionFate> Fates { get; } = [];

    public IReadOnlyList<ArmRequest> Requests
    {
        get { lock (gate) return requests.ToList(); }
    }

    public IReadOnlyList<ArmRequest> ArmRequests =>
        Requests.Where(r => !r.Host.Contains("---", StringComparison.Ordinal) && !PublicHosts.ContainsKey(r.Host)).ToList();

    /// <summary>
    /// Environment URLs (a custom domain → its app): /health answers as the web would, from the revision taking most of
    /// the app's traffic (version = its image tag), with <c>details.workers.releases</c> the image tags of the running
    /// revisions of the apps without ingress (workers that heartbeat).
    /// </summary>
    public Dictionary<string, string> PublicHosts { get; } = [];

    /// <summary>When set, environment URLs keep reporting this version whatever serves (a front door or cache still at the old release).</summary>
    public string? StaleEnvironmentVersion { get; set; }

    /// <summary>Answer the next <paramref name="count"/> ARM requests with 429 and <c>Retry-After: seconds</c>.</summary>
    public void Throttle(int count, int seconds, int status = 429)
    {
        lock (gate)
        {
            throttled = count;
            throttleSeconds = seconds;
            throttleStatus = status;
        }
    }

    int throttleSeconds, throttleStatus;

    /// <summary>A container app with one running revision <c>{name}--{suffix}</c> serving all traffic through <c>latestRevision: true</c>.</summary>
    public void AddApp(string name, string image, bool ingress = true, string mode = "Multiple", string suffix = "initial")
    {
        lock (gate)
        {
            var app = new FakeApp(name, ingress, mode)
            {
                Template = new JsonObject
                {
                    ["revisionSuffix"] = suffix,
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "web", ["image"] = image,
                        ["resources"] = new JsonObject { ["cpu"] = 0.5, ["memory"] = "1Gi" },
                        ["env"] = new JsonArray(new JsonObject { ["name"] = "DATABASE_URL", ["secretRef"] = "database-url" }),
                    }),
                    ["scale"] = new JsonObject { ["minReplicas"] = 1, ["maxReplicas"] = 3 },
                },
            };
            app.Revisions.Add(new FakeRevision($"{name}--{suffix}", image, clock, 0, RevisionFate.Runs));
            if (ingress)
                app.Traffic.Add(new JsonObject { ["latestRevision"] = true, ["weight"] = 100 });
            apps[name] = app;
        }
    }

    /// <summary>Adds a running revision (as an earlier deploy left it) without touching traffic.</summary>
    public void AddRevision(string app, string suffix, string image, bool active = true)
    {
        lock (gate)
        {
            clock = clock.AddMinutes(1);
            apps[app].Revisions.Add(new FakeRevision($"{app}--{suffix}", image, clock, 0, RevisionFate.Runs) { Active = active });
        }
    }

    public void SetTraffic(string app, params (string Revision, int Weight, string? Label)[] traffic)
    {
        lock (gate)
        {
            apps[app].Traffic.Clear();
            foreach (var (revision, weight, label) in traffic)
                apps[app].Traffic.Add(Entry(revision, weight, label));
        }
    }

    /// <summary>The app's traffic now, as (revision, weight, label), latestRevision resolved.</summary>
    public IReadOnlyList<(string Revision, int Weight, string? Label)> TrafficOf(string app)
    {
        lock (gate)
        {
            var a = apps[app];
            return a.Traffic.Select(t => (Resolve(a, t), (int)t["weight"]!, (string?)t["label"])).ToList();
        }
    }

    public IReadOnlyList<string> ActiveRevisions(string app)
    {
        lock (gate)
            return apps[app].Revisions.Where(r => r.Active).Select(r => r.Name).ToList();
    }

    /// <summary>
    /// Holds every request that <paramref name="match"/> accepts (unanswered) until <see cref="RequestHold.Release"/>;
    /// <see cref="RequestHold.Reached"/> completes when the first arrives. A test thus acts at an exact point of a deploy
    /// (a revision being polled, the environment URL being verified) without sleeping.
    /// </summary>
    public RequestHold Hold(Func<ArmRequest, bool> match)
    {
        var hold = new RequestHold(match);
        lock (gate)
            holds.Add(hold);
        return hold;
    }

    /// <summary>A client for label URLs: every connection goes to this server, whatever the host name; TLS trusts its certificate only.</summary>
    public HttpClient HealthClient() =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, server.Ports[0], cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.Thumbprint },
        });

    /// <summary>Client options aimed at this server: its certificate trusted, retries quick, the given clock.</summary>
    public ContainerAppsClientOptions ClientOptions(TimeProvider time, string environment = "staging")
    {
        var options = new ContainerAppsClientOptions
        {
            Endpoint = Endpoint,
            Environment = environment,
            Time = time,
            Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == certificate.Thumbprint,
            }),
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);
        return options;
    }

    public void Dispose()
    {
        lock (gate)
            foreach (var hold in holds)
                hold.Release();
        server.Stop();
        server.Dispose();
        certificate.Dispose();
    }

    IResponseMessage Handle(IRequestMessage request)
    {
        var host = request.Headers is not null && request.Headers.TryGetValue("Host", out var h) ? h.First() : request.Host;
        host = host.Split(':')[0];
        string? Query(string key) => request.Query is not null && request.Query.TryGetValue(key, out var v) ? v.First() : null;
        var authorization = request.Headers is not null && request.Headers.TryGetValue("Authorization", out var a) ? a.First() : null;
        var received = new ArmRequest(request.Method, host, request.Path, Query("api-version"), authorization, request.Body);
        RequestHold[] matching;
        lock (gate)
            matching = holds.Where(x => x.Matches(received)).ToArray();
        foreach (var hold in matching)
            hold.Wait(received);
        lock (gate)
        {
            requests.Add(received);
            if (host.Contains("---", StringComparison.Ordinal))
                return Health(host, request.Path);
            if (PublicHosts.TryGetValue(host, out var publicApp))
                return EnvironmentHealth(publicApp, request.Path);
            if (throttled > 0)
            {
                throttled--;
                return Error(throttleStatus, "TooManyRequests", "The request is being throttled.", ("Retry-After", throttleSeconds.ToString()));
            }
            if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
                return Error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
            if (Refuse is { } status)
                return Error(status, "AuthorizationFailed",
                    $"The client does not have authorization to perform action over scope '{request.Path}' or the scope is invalid.");
            if (Query("api-version") != ContainerAppsApi.ApiVersion)
                return Error(400, "InvalidApiVersionParameter", $"The api-version '{Query("api-version")}' is invalid.");
            return Route(request.Method, request.Path, Query("$skiptoken"), request.Body);
        }
    }

    IResponseMessage Route(string method, string path, string? skipToken, string? body)
    {
        var prefix = $"/subscriptions/{Subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.App/containerApps/";
        var operation = OperationPath().Match(path);
        if (operation.Success && method == "GET")
            return PollOperation(operation.Groups["id"].Value, operation.Groups["kind"].Value == "containerappOperationStatuses");
        if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return Error(404, "ResourceGroupNotFound", $"Resource group '{resourceGroup}' could not be found for {path}.");
        var parts = path[prefix.Length..].Split('/');
        if (!apps.TryGetValue(parts[0], out var app))
            return Error(404, "ResourceNotFound", $"The Resource 'Microsoft.App/containerApps/{parts[0]}' under resource group '{resourceGroup}' was not found.");
        switch (parts.Length, method)
        {
            case (1, "GET"):
                return Json(200, AppJson(app));
            case (1, "PATCH"):
                return Patch(app, JsonNode.Parse(body ?? "{}")!.AsObject());
            case (2, "GET") when parts[1] == "revisions":
                var skip = int.Parse(skipToken ?? "0");
                var page = app.Revisions.Skip(skip).Take(PageSize).Select(r => (JsonNode)RevisionJson(app, r, poll: false)).ToArray();
                var result = new JsonObject { ["value"] = new JsonArray(page) };
                if (skip + PageSize < app.Revisions.Count)
                    result["nextLink"] = $"{Endpoint.AbsoluteUri.TrimEnd('/')}{path}?api-version={ContainerAppsApi.ApiVersion}&$skiptoken={skip + PageSize}";
                return Json(200, result);
        }
        var revision = parts.Length >= 3 && parts[1] == "revisions" ? app.Revisions.FirstOrDefault(r => r.Name == parts[2]) : null;
        if (revision is null)
            return Error(404, "ContainerAppRevisionNotFound", $"Revision '{(parts.Length >= 3 ? parts[2] : "")}' of {app.Name} not found.");
        switch (parts.Length, method)
        {
            case (3, "GET"):
                return Json(200, RevisionJson(app, revision, poll: true));
            case (4, "POST") when parts[3] is "activate" or "deactivate" or "restart":
                if (parts[3] == "deactivate" && Weight(app, revision.Name) > 0)
                    return Error(400, "ContainerAppRevisionCannotDeactivate", $"Revision {revision.Name} receives traffic; it cannot be deactivated.");
                if (parts[3] != "restart")
                    revision.Active = parts[3] == "activate";
                return new ResponseMessage { StatusCode = 200 };
        }
        return Error(405, "MethodNotAllowed", $"{method} {path} is not part of Microsoft.App {ContainerAppsApi.ApiVersion}.");
    }

    IResponseMessage Patch(FakeApp app, JsonObject body)
    {
        var properties = body["properties"] as JsonObject;
        var template = properties?["template"] as JsonObject;
        var ingress = properties?["configuration"]?["ingress"] as JsonObject;
        string? created = null;
        if (template is not null)
        {
            var suffix = (string?)template["revisionSuffix"] ?? $"gen{app.Revisions.Count}";
            created = $"{app.Name}--{suffix}";
            if (app.Revisions.Any(r => r.Name == created))
                return Error(400, "ContainerAppRevisionAlreadyExists", $"Revision with suffix {suffix} already exists.");
            var image = (string?)template["containers"]?[0]?["image"] ?? "";
            clock = clock.AddMinutes(1);
            app.Revisions.Add(new FakeRevision(created, image, clock, PollsUntilRunning, Fates.GetValueOrDefault(created, RevisionFate.Runs)));
            app.Template = template.DeepClone().AsObject();
            if (app.Mode == "Single")
                foreach (var old in app.Revisions.Where(r => r.Name != created))
                    old.Active = false;
        }
        if (ingress?["traffic"] is JsonArray traffic)
        {
            var entries = traffic.OfType<JsonObject>().ToList();
            if (entries.Sum(e => (int?)e["weight"] ?? 0) != 100)
                return Error(400, "ContainerAppInvalidTrafficWeight", "The sum of traffic weights must be 100.");
            var unknown = entries.Select(e => (string?)e["revisionName"]).OfType<string>().FirstOrDefault(n => app.Revisions.All(r => r.Name != n));
            if (unknown is not null)
                return Error(400, "ContainerAppRevisionNotFound", $"Traffic names revision '{unknown}', which does not exist.");
            if (entries.Select(e => (string?)e["label"]).OfType<string>().GroupBy(l => l).Any(g => g.Count() > 1))
                return Error(400, "ContainerAppDuplicateLabel", "Traffic labels must be unique.");
            app.Traffic.Clear();
            app.Traffic.AddRange(entries.Select(e => e.DeepClone().AsObject()));
        }
        var id = (++nextOperation).ToString();
        operations[id] = new FakeOperation(OperationPolls);
        var statusUrl = $"{Endpoint.AbsoluteUri.TrimEnd('/')}/subscriptions/{Subscription}/providers/Microsoft.App/locations/{Location}/containerappOperationStatuses/{id}?api-version={ContainerAppsApi.ApiVersion}";
        var resultUrl = statusUrl.Replace("containerappOperationStatuses", "containerappOperationResults");
        var response = Json(202, AppJson(app));
        response.AddHeader("Location", resultUrl);
        if (SendAsyncOperationHeader)
            response.AddHeader("Azure-AsyncOperation", statusUrl);
        response.AddHeader("Retry-After", OperationRetryAfter.ToString());
        return response;
    }

    IResponseMessage PollOperation(string id, bool status)
    {
        if (!operations.TryGetValue(id, out var operation))
            return Error(404, "OperationNotFound", $"Operation {id} not found.");
        var done = !NeverFinishOperations && operation.PollsLeft-- <= 0;
        if (!status)
        {
            var pending = new ResponseMessage { StatusCode = done ? 200 : 202 };
            if (!done)
                pending.AddHeader("Retry-After", OperationRetryAfter.ToString());
            return pending;
        }
        var answer = Json(200, new JsonObject { ["id"] = id, ["name"] = id, ["status"] = done ? "Succeeded" : "InProgress", ["startTime"] = clock.ToString("O") });
        if (!done)
            answer.AddHeader("Retry-After", OperationRetryAfter.ToString());
        return answer;
    }

    IResponseMessage Health(string host, string path)
    {
        // {app}---{label}.{domain}
        var appName = host[..host.IndexOf("---", StringComparison.Ordinal)];
        var label = host[(appName.Length + 3)..].Split('.')[0];
        if (!apps.TryGetValue(appName, out var app) || path != "/health")
            return new ResponseMessage { StatusCode = 404 };
        var entry = app.Traffic.FirstOrDefault(t => (string?)t["label"] == label);
        var revision = entry is null ? null : app.Revisions.FirstOrDefault(r => r.Name == Resolve(app, entry));
        if (revision is null || !revision.Active)
            return new ResponseMessage { StatusCode = 404 };
        var running = revision.Fate == RevisionFate.Runs && revision.PollsLeft == 0;
        return Json(running ? 200 : 503, new JsonObject { ["status"] = running ? "ok" : "starting", ["version"] = revision.Image.Split(':').Last() });
    }

    IResponseMessage EnvironmentHealth(string appName, string path)
    {
        if (!apps.TryGetValue(appName, out var app) || path != "/health")
            return new ResponseMessage { StatusCode = 404 };
        var serving = app.Traffic.Where(t => (int?)t["weight"] > 0).OrderByDescending(t => (int?)t["weight"]).Select(t => Resolve(app, t)).FirstOrDefault();
        var revision = app.Revisions.FirstOrDefault(r => r.Name == serving && r.Active);
        if (revision is null)
            return new ResponseMessage { StatusCode = 503 };
        var workers = apps.Values.Where(a => !a.Ingress).SelectMany(a => a.Revisions)
            .Where(r => r.Active && r.PollsLeft == 0 && r.Fate == RevisionFate.Runs).Select(r => r.Image.Split(':').Last()).Distinct().Order(StringComparer.Ordinal);
        return Json(200, new JsonObject
        {
            ["status"] = "ok",
            ["version"] = StaleEnvironmentVersion ?? revision.Image.Split(':').Last(),
            ["details"] = new JsonObject
            {
                ["database"] = new JsonObject { ["status"] = "ok" },
                ["workers"] = new JsonObject { ["status"] = "ok", ["releases"] = new JsonArray(workers.Select(w => (JsonNode)w).ToArray()) },
            },
        });
    }

    JsonObject AppJson(FakeApp app)
    {
        var latest = app.Revisions.Last();
        var ready = app.Revisions.LastOrDefault(r => r.PollsLeft == 0 && r.Fate == RevisionFate.Runs);
        var configuration = new JsonObject { ["activeRevisionsMode"] = app.Mode, ["secrets"] = new JsonArray(new JsonObject { ["name"] = "database-url" }) };
        if (app.Ingress)
            configuration["ingress"] = new JsonObject
            {
                ["fqdn"] = $"{app.Name}.{Domain}", ["external"] = true, ["targetPort"] = 3000, ["transport"] = "Auto",
                ["allowInsecure"] = false, ["traffic"] = new JsonArray(app.Traffic.Select(t => (JsonNode)t.DeepClone()).ToArray()),
            };
        return new JsonObject
        {
            ["id"] = $"/subscriptions/{Subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.App/containerApps/{app.Name}",
            ["name"] = app.Name, ["type"] = "Microsoft.App/containerApps", ["location"] = Location,
            ["properties"] = new JsonObject
            {
                ["provisioningState"] = "Succeeded",
                ["latestRevisionName"] = latest.Name,
                ["latestReadyRevisionName"] = ready?.Name,
                ["latestRevisionFqdn"] = $"{latest.Name}.{Domain}",
                ["configuration"] = configuration,
                ["template"] = app.Template.DeepClone(),
            },
        };
    }

    JsonObject RevisionJson(FakeApp app, FakeRevision revision, bool poll)
    {
        string provisioning, running, health;
        if (revision.PollsLeft > 0)
        {
            if (poll)
                revision.PollsLeft--;
            (provisioning, running, health) = ("Provisioning", "Activating", "None");
        }
        else
            (provisioning, running, health) = revision.Fate switch
            {
                RevisionFate.Runs => ("Provisioned", "Running", "Healthy"),
                RevisionFate.NeverHealthy => ("Provisioned", "Activating", "Unhealthy"),
                RevisionFate.Degraded => ("Provisioned", "Degraded", "Unhealthy"),
                _ => ("Failed", "Failed", "Unhealthy"),
            };
        if (!revision.Active)
            (running, health) = ("Stopped", "None");
        var properties = new JsonObject
        {
            ["createdTime"] = revision.Created.ToString("O"), ["active"] = revision.Active, ["replicas"] = revision.Active ? 1 : 0,
            ["trafficWeight"] = Weight(app, revision.Name), ["provisioningState"] = provisioning, ["runningState"] = running, ["healthState"] = health,
            ["fqdn"] = $"{revision.Name}.{Domain}",
            ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = revision.Image }) },
        };
        if (provisioning == "Failed")
            properties["provisioningError"] = "Container 'web' crashed: exit code 1";
        return new JsonObject { ["id"] = $"/subscriptions/{Subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.App/containerApps/{app.Name}/revisions/{revision.Name}", ["name"] = revision.Name, ["type"] = "Microsoft.App/containerApps/revisions", ["properties"] = properties };
    }

    static int Weight(FakeApp app, string revision) => app.Traffic.Where(t => Resolve(app, t) == revision).Sum(t => (int?)t["weight"] ?? 0);

    static string Resolve(FakeApp app, JsonObject entry) =>
        (bool?)entry["latestRevision"] == true ? app.Revisions.Last(r => r.PollsLeft == 0 && r.Fate == RevisionFate.Runs).Name : (string)entry["revisionName"]!;

    static JsonObject Entry(string revision, int weight, string? label)
    {
        var entry = new JsonObject { ["revisionName"] = revision, ["weight"] = weight };
        if (label is not null)
            entry["label"] = label;
        return entry;
    }

    static ResponseMessage Json(int status, JsonNode body)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
        };
        response.AddHeader("Content-Type", "application/json; charset=utf-8");
        return response;
    }

    static ResponseMessage Error(int status, string code, string message, params (string Name, string Value)[] headers)
    {
        var response = Json(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });
        foreach (var (name, value) in headers)
            response.AddHeader(name, value);
        return response;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // One key for the whole run: RSA generation is the slow part of starting a server.
    static readonly Lazy<byte[]> SharedCertificate = new(CreateCertificate);

    static byte[] CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("*." + Domain);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return created.Export(X509ContentType.Pkcs12);
    }

    [GeneratedRegex("^/subscriptions/[^/]+/providers/Microsoft.App/locations/[^/]+/(?<kind>containerappOperationStatuses|containerappOperationResults)/(?<id>[^/]+)$")]
    private static partial Regex OperationPath();

    sealed class FakeApp(string name, bool ingress, string mode)
    {
        public string Name => name;
        public bool Ingress => ingress;
        public string Mode => mode;
        public JsonObject Template { get; set; } = new();
        public List<JsonObject> Traffic { get; } = [];
        public List<FakeRevision> Revisions { get; } = [];
    }

    sealed class FakeRevision(string name, string image, DateTimeOffset created, int pollsLeft, RevisionFate fate)
    {
        public string Name => name;
        public string Image => image;
        public DateTimeOffset Created => created;
        public RevisionFate Fate => fate;
        public int PollsLeft { get; set; } = pollsLeft;
        public bool Active { get; set; } = true;
    }

    sealed class FakeOperation(int polls)
    {
        public int PollsLeft { get; set; } = polls;
    }
}

/// <summary>Requests held by <see cref="ArmServer.Hold"/>: answered only once released (or after two minutes, so a failed test ends).</summary>
public sealed class RequestHold(Func<ArmRequest, bool> match) : IDisposable
{
    readonly TaskCompletionSource<ArmRequest> reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly ManualResetEventSlim released = new();

    /// <summary>The first request held.</summary>
    public Task<ArmRequest> Reached => reached.Task;

    internal bool Matches(ArmRequest request) => !released.IsSet && match(request);

    internal void Wait(ArmRequest request)
    {
        reached.TrySetResult(request);
        released.Wait(TimeSpan.FromMinutes(2));
    }

    public void Release() => released.Set();

    public void Dispose() => Release();
}
