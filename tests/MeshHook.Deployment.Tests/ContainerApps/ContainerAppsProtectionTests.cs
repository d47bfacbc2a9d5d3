using System.Text.Json.Nodes;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>
/// Production's protection (issue 9 §4) with the repository's own production environment.json, as dry runs: refusals come
/// before anything is planned or contacted; a dry run that passes prints the plan without credentials.
/// </summary>
public sealed class ContainerAppsProtectionTests : IDisposable
{
    static CancellationToken Token => TestContext.Current.CancellationToken;
    readonly TempDirectory _root = new();
    readonly ReleaseStore _store;
    readonly List<string> _log = [];

    public ContainerAppsProtectionTests()
    {
        _store = new ReleaseStore(_root.Combine("artifacts", "releases"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Infra, "environments", "production", "environment.json")))!.AsObject();
        json["protection"]!["allowedDeployers"] = new JsonArray("release-manager");
        _root.Write("infra/environments/production/environment.json", json.ToJsonString());
    }

    public void Dispose() => _root.Dispose();

    EnvironmentOperations Operations(Dictionary<string, string> variables) =>
        new(_root.Path, EnvironmentName.Production, _store, new ToolRunner(new SecretMasker()), variables,
            LocalPrograms.InRepository(_root.Path, "unused"), TimeProvider.System, new DeploymentLog(_log.Add, _log.Add));

    static readonly Dictionary<string, string> InActions = new() { ["GITHUB_ACTIONS"] = "true" };

    [Fact]
    public async Task Production_refuses_a_release_not_built_on_CI_unless_forced_with_a_reason()
    {
        var laptop = Release("alice@laptop");

        var refused = await Assert.ThrowsAsync<UserFacingException>(() => Operations(InActions).DeployAsync(laptop.Id, Options("octocat"), Token));
        Assert.Contains($"was built by alice@laptop, not on CI", refused.Message);

        await Operations(InActions).DeployAsync(laptop.Id, Options("octocat") with { Force = true, Reason = "CI is down" }, Token);
        Assert.Contains(_log, x => x == "--force deployed a release not built on CI to production: CI is down");
        Assert.Contains(_log, x => x.Contains("Deploy of " + laptop.Id + " to production", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_CI_built_release_deploys_and_allowed_deployers_apply_only_outside_GitHub_Actions()
    {
        var built = Release(ReleaseOrigin.Builder(new Dictionary<string, string>(InActions) { ["GITHUB_REPOSITORY"] = "profullstack/meshhook", ["GITHUB_RUN_ID"] = "7" }));
        Assert.Equal("github-actions@profullstack/meshhook/actions/runs/7", built.Builder);

        // Inside GitHub Actions the environment's reviewers are the gate: the actor is not checked against the list.
        await Operations(InActions).DeployAsync(built.Id, Options("octocat"), Token);

        var outside = await Assert.ThrowsAsync<UserFacingException>(() => Operations([]).DeployAsync(built.Id, Options("octocat"), Token));
        Assert.Contains("octocat may not deploy to production", outside.Message);
        await Operations([]).DeployAsync(built.Id, Options("release-manager"), Token);
        Assert.Contains(_log, x => x.Contains("Azure is not contacted", StringComparison.Ordinal));
    }

    [Fact]
    public void No_environment_file_can_redirect_the_azure_endpoints_only_tests_can_in_process()
    {
        static IEnumerable<string> Keys(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(x => Keys(x.Value).Prepend(x.Key)),
            JsonArray a => a.SelectMany(Keys),
            _ => [],
        };
        var files = Directory.GetFiles(Path.Combine(RepositoryFiles.Infra, "environments"), "environment.json", SearchOption.AllDirectories);
        Assert.Equal(4, files.Length);
        foreach (var file in files)
            Assert.DoesNotContain(Keys(JsonNode.Parse(File.ReadAllText(file))), x =>
                x.Contains("endpoint", StringComparison.OrdinalIgnoreCase) || x.Contains("test", StringComparison.OrdinalIgnoreCase));

        // And the loader refuses such a key: the redirection is the internal ContainerAppsConnections, set in process only.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Infra, "environments", "staging", "environment.json")))!.AsObject();
        json["target"]!["armEndpoint"] = "https://127.0.0.1:1/";
        var error = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentConfiguration.Parse(json.ToJsonString(), EnvironmentName.Staging, "environment.json"));
        Assert.Contains(error.Errors, x => x.Contains("target.armEndpoint", StringComparison.Ordinal));
        Assert.Null(typeof(EnvironmentOperations).GetProperty("ContainerAppsConnections")?.GetSetMethod(nonPublic: false));
    }

    static DeployOptions Options(string actor) => new() { Actor = actor, DryRun = true };

    ReleaseManifest Release(string builder)
    {
        _root.Write("src/web/index.js", "// web");
        var commit = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return new ReleasePackager(_store, TimeProvider.System).Package(new SourceRevision(commit, "1.0.0", false), builder,
            [new ReleaseContent("web", _root.Combine("src", "web"))], []);
    }
}
