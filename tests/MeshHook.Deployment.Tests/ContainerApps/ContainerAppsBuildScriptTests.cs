using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Targets.ContainerApps;
using MeshHook.Deployment.Tests.CloudState;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Deployment.Tests.Secrets;
using MeshHook.Testing;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>
/// <c>./build.sh Deploy --environment staging</c> (twice) and <c>./build.sh Rollback --environment staging</c> as real
/// processes of the repository's own build, with the repository's committed staging environment.json (byte for byte),
/// against the loopback ARM fake, Azurite (lock and journal), the Key Vault stub (DATABASE_URL) and a real PostgreSQL
/// migrated by the Supabase CLI. The only difference from a real deploy is the test-only variable
/// <see cref="AzureLoopback.Variable"/> (loopback endpoints, pinned certificates, a static token) and
/// <c>AZURE_SUBSCRIPTION_ID</c>, which a real deploy sets too. The releases are packaged by the test with the Package
/// target's own <see cref="ReleasePackager"/> (clean, so staging's protection lets them through) and given with
/// <c>--release</c>; <c>--skip</c> skips the web and worker builds they would otherwise be packaged from.
/// </summary>
public sealed class ContainerAppsBuildScriptTests(Azurite azurite) : IClassFixture<Azurite>, IAsyncLifetime
{
    const string Host = "staging.meshhook.example.com", Password = "pg-script-5e2a";
    static CancellationToken Token => TestContext.Current.CancellationToken;
    static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(3);

    readonly TempDirectory _root = new();
    readonly ToolRunner _tools = new(new SecretMasker());
    EnvironmentConfiguration _staging = null!;
    ArmServer _arm = null!;
    KeyVaultServer _vault = null!;
    PostgresCluster? _database;
    ReleaseStore _store = null!;
    string _token = null!, _web = null!, _workers = null!;
    int _releases;
    readonly List<string> _migrations = [];

    public async ValueTask InitializeAsync()
    {
        await BuildTools.EnsureInstalledAsync(Token);
        // The committed file as it is: the test redirects endpoints, never the environment's names.
        var committed = Path.Combine(RepositoryFiles.Infra, "environments", "staging", "environment.json");
        _root.Write("infra/environments/staging/environment.json", await File.ReadAllTextAsync(committed, Token));
        _root.Write("infra/environments/environment.schema.json", await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Infra, "environments", "environment.schema.json"), Token));
        Directory.CreateDirectory(_root.Combine(".nuke"));
        // The repository's installed npm tools (the Supabase CLI): the build finds them installed and changes nothing there.
        Directory.CreateSymbolicLink(_root.Combine("tools"), RepositoryFiles.Tools);
        _staging = EnvironmentConfiguration.Load(_root.Path, EnvironmentName.Staging);
        _web = _staging.Target.WebApp!;
        _workers = _staging.Target.WorkerApp!;

        _arm = new ArmServer(_staging.Target.ResourceGroup!) { PollsUntilRunning = 0, OperationRetryAfter = 1 };
        _arm.AddApp(_web, "mcr.microsoft.com/k8se/quickstart:latest");
        _arm.AddApp(_workers, "mcr.microsoft.com/k8se/quickstart:latest", ingress: false);
        _arm.PublicHosts[_staging.Url.Host] = _web;

        // One static token for every loopback service: an unsigned Entra-style JWT, which Azurite (--oauth basic) checks.
        _token = new EmulatorClients.FakeEntraCredential().GetToken(new TokenRequestContext(["https://storage.azure.com/.default"]), Token).Token;
        _vault = new KeyVaultServer(_staging.Secrets.VaultUrl!.Host.Split('.')[0], _token);
        _database = await PostgresCluster.StartAsync(Password, Token);
        _vault.Answer("GET", "/secrets/database-url", 200, new
        {
            value = _database.Url(Password),
            id = $"{_staging.Secrets.VaultUrl.AbsoluteUri}secrets/database-url/2c1e2d3c4b5a69788796a5b4c3d2e1f0",
            attributes = new { enabled = true },
        });
        _store = new ReleaseStore(_root.Combine("artifacts", "releases"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
        _arm?.Dispose();
        _vault?.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Deploy_twice_then_Rollback_as_build_processes_move_the_traffic_journal_in_the_blob_and_print_no_secret()
    {
        Assert.Equal(Host, _staging.Url.Host);
        var state = await azurite.NewContainerAsync(Token);
        var variables = Variables(state.Uri);
        var first = Release("create table script_first (id int);");
        var second = Release("create table script_second (id int);");

        var deployFirst = await BuildAsync(variables, "Deploy", "--environment", "staging", "--release", first.Id, "--skip");
        Assert.True(deployFirst.ExitCode == 0, Describe(deployFirst));
        var deploySecond = await BuildAsync(variables, "Deploy", "--environment", "staging", "--release", second.Id, "--skip");
        Assert.True(deploySecond.ExitCode == 0, Describe(deploySecond));

        Assert.Equal([(Revision(_web, second.Id), 100)], Serving());
        Assert.Contains((Revision(_web, first.Id), 0, "previous"), _arm.TrafficOf(_web));
        Assert.Equal([Revision(_workers, second.Id)], _arm.ActiveRevisions(_workers));
        // The images are the release's, in the committed registry: ARM was asked for exactly these.
        Assert.Contains(_arm.ArmRequests, x => x.Method == "PATCH" && x.Body!.Contains($"{_staging.Target.Registry}/meshhook-web:{second.Id}", StringComparison.Ordinal));
        Assert.Equal("script_second", await TableAsync("script_second"));

        var rollback = await BuildAsync(variables, "Rollback", "--environment", "staging");
        Assert.True(rollback.ExitCode == 0, Describe(rollback));

        Assert.Equal([(Revision(_web, first.Id), 100)], Serving());
        Assert.Equal([Revision(_workers, first.Id)], _arm.ActiveRevisions(_workers));
        // The journal blob, read back from Azurite as another client would: three deploys, in order, all succeeded.
        var journal = await ReadJournalAsync(state);
        Assert.Equal([("deploy", first.Id, Outcomes.Succeeded), ("deploy", second.Id, Outcomes.Succeeded), ("rollback", first.Id, Outcomes.Succeeded)],
            journal.Where(x => x.Type == JournalEntryTypes.Finished).Select(x => (Kind(journal, x), Release(journal, x), x.Outcome!)));
        // Every ARM call carried the static token, and the environment lock was released (the lease blob has no holder left).
        Assert.All(_arm.ArmRequests, x => Assert.Equal($"Bearer {_token}", x.Authorization));
        var lockBlob = (await state.GetBlobClient("staging/deploy.lock").GetPropertiesAsync(cancellationToken: Token)).Value;
        Assert.Equal(Azure.Storage.Blobs.Models.LeaseState.Available, lockBlob.LeaseState);

        foreach (var run in new[] { deployFirst, deploySecond, rollback })
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{run.Command.ToDisplayString()}: exit {run.ExitCode} in {run.Duration.TotalSeconds:0.0} s");
            var output = run.StandardOutput + run.StandardError;
            Assert.Contains($"TEST-ONLY {AzureLoopback.Variable} is set: Azure is NOT contacted", output);
            Assert.DoesNotContain(Password, output);
            Assert.DoesNotContain(_token, output);
        }
        Assert.Contains($"Deploy of {second.Id} succeeded", deploySecond.StandardOutput);
        Assert.Contains($"Rollback of {first.Id} succeeded", rollback.StandardOutput);
    }

    [Fact]
    public async Task A_redirection_to_anything_but_loopback_is_refused_before_anything_is_contacted()
    {
        var state = await azurite.NewContainerAsync(Token);
        var release = Release("select 1;");
        var variables = Variables(state.Uri);
        var settings = JsonNode.Parse(variables[AzureLoopback.Variable]!)!.AsObject();
        settings["arm"] = "https://management.azure.com/";
        variables[AzureLoopback.Variable] = settings.ToJsonString();

        var refused = await BuildAsync(variables, "Deploy", "--environment", "staging", "--release", release.Id, "--skip");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"{AzureLoopback.Variable}: \"arm\" 'https://management.azure.com' is not a loopback address", refused.StandardOutput + refused.StandardError);
        Assert.Empty(_arm.Requests);
        Assert.Empty(_vault.Server.LogEntries);
        Assert.DoesNotContain(_token, refused.StandardOutput + refused.StandardError);
    }

    /// <summary>The child's environment: nothing of the machine's Azure, GitHub or notification settings, plus the redirection.</summary>
    Dictionary<string, string?> Variables(Uri state)
    {
        var pinned = _root.Write("pinned.pem", string.Join('\n', _arm.CertificatePem, _vault.CertificatePem, File.ReadAllText(azurite.CertificatePem)));
        var variables = new Dictionary<string, string?>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (name.StartsWith("AZURE_", StringComparison.Ordinal) || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("ACTIONS_", StringComparison.Ordinal)
                || name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("NOTIFY_", StringComparison.Ordinal)
                || name is "SLACK_WEBHOOK_URL" or "SMTP_URL" or "MESHHOOK_REGISTRY" or "MESHHOOK_FAULT_INJECTION" or "MESHHOOK_FAULT" or "CI")
                variables[name] = null;
        }
        variables["AZURE_SUBSCRIPTION_ID"] = ArmServer.Subscription;
        variables["NO_COLOR"] = "1";
        variables[AzureLoopback.Variable] = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["arm"] = _arm.Endpoint.AbsoluteUri,
            ["state"] = state.AbsoluteUri,
            ["keyVault"] = _vault.Server.Url! + "/",
            ["health"] = _arm.Endpoint.AbsoluteUri,
            ["certificates"] = pinned,
            ["token"] = _token,
        });
        return variables;
    }

    async Task<ToolResult> BuildAsync(Dictionary<string, string?> variables, params string[] arguments) =>
        await _tools.RunAsync(new ToolCommand(Path.Combine(RepositoryFiles.Root, "build.sh"), [.. arguments, "--root", _root.Path, "--no-logo"])
        {
            WorkingDirectory = _root.Path, Environment = variables, LogOutput = false, ThrowOnFailure = false, Timeout = ProcessTimeout,
        }, Token);

    static string Describe(ToolResult result) =>
        $"exit code {result.ExitCode} after {result.Duration.TotalSeconds:0.0} s\n--- stdout ---\n{result.StandardOutput}\n--- stderr ---\n{result.StandardError}";

    IReadOnlyList<(string Revision, int Weight)> Serving() => _arm.TrafficOf(_web).Where(x => x.Weight > 0).Select(x => (x.Revision, x.Weight)).ToList();

    static string Revision(string app, string release) => $"{app}--{NewRevision.SuffixFor(release)}";

    static async Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(Azure.Storage.Blobs.BlobContainerClient state)
    {
        var text = (await state.GetBlobClient("staging/journal.jsonl").DownloadContentAsync(Token)).Value.Content.ToString();
        var warnings = new List<string>();
        var entries = JournalLines.Parse(text.Split('\n'), "journal.jsonl", warnings);
        Assert.Empty(warnings);
        return entries;
    }

    static string Kind(IReadOnlyList<JournalEntry> journal, JournalEntry finished) =>
        journal.First(x => x.IsStarted && x.DeploymentId == finished.DeploymentId).Kind!;

    static string Release(IReadOnlyList<JournalEntry> journal, JournalEntry finished) =>
        journal.First(x => x.IsStarted && x.DeploymentId == finished.DeploymentId).Release!;

    ReleaseManifest Release(string sql)
    {
        var number = Interlocked.Increment(ref _releases);
        var source = $"sources/{number}";
        _root.Write($"{source}/web/build/index.js", "// web");
        _root.Write($"{source}/workers/worker.mjs", "// workers");
        _root.Write($"{source}/migrations/supabase/config.toml", "project_id = \"script\"\n");
        _migrations.Add($"2026020100000{number}_step.sql");
        _root.Write($"{source}/migrations/supabase/migrations/{_migrations[^1]}", sql);
        for (var earlier = 1; earlier < number; earlier++)
            File.Copy(_root.Combine($"sources/{earlier}/migrations/supabase/migrations/{_migrations[earlier - 1]}"),
                _root.Combine($"{source}/migrations/supabase/migrations/{_migrations[earlier - 1]}"));
        var commit = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return new ReleasePackager(_store, TimeProvider.System).Package(new SourceRevision(commit, $"2.0.{number}", Dirty: false), "tester@test",
        [
            new ReleaseContent("web", _root.Combine(source, "web")),
            new ReleaseContent("workers", _root.Combine(source, "workers")),
            new ReleaseContent("migrations", _root.Combine(source, "migrations")),
        ], _migrations.ToList());
    }

    async Task<string> TableAsync(string table)
    {
        var result = await _tools.RunAsync(new ToolCommand("/usr/lib/postgresql/15/bin/psql", "-h", "127.0.0.1", "-p", _database!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", "postgres", "-tAc", $"select to_regclass('public.{table}')")
        {
            Environment = new Dictionary<string, string?> { ["PGPASSWORD"] = Password }, LogOutput = false, ThrowOnFailure = false,
        }, Token);
        return (result.StandardOutput + result.StandardError).Trim();
    }
}

/// <summary>
/// The test-only redirection can never come from a committed file: environment.json's schema refuses unknown keys (so
/// no key could carry it), and no committed environment or the schema mentions it.
/// </summary>
public sealed class AzureLoopbackSettingTests
{
    [Fact]
    public void No_committed_environment_json_nor_the_schema_mentions_the_redirection_and_the_schema_refuses_unknown_keys()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryFiles.Infra, "environments"), "*.json", SearchOption.AllDirectories);
        Assert.Contains(files, x => x.EndsWith(Path.Combine("staging", "environment.json"), StringComparison.Ordinal));
        Assert.Contains(files, x => x.EndsWith("environment.schema.json", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var word in new[] { AzureLoopback.Variable, "MESHHOOK_TEST" })
                Assert.False(text.Contains(word, StringComparison.OrdinalIgnoreCase), $"{file} mentions {word}");
        }

        // The redirection's keys put into staging's environment.json, at the top and in target, are refused by the loader.
        var committed = File.ReadAllText(Path.Combine(RepositoryFiles.Infra, "environments", "staging", "environment.json"));
        foreach (var place in new[] { "top", "target" })
        {
            var json = JsonNode.Parse(committed)!.AsObject();
            var holder = place == "top" ? json : json["target"]!.AsObject();
            holder["arm"] = "https://127.0.0.1:1/";
            holder["testLoopback"] = new JsonObject { ["arm"] = "https://127.0.0.1:1/" };
            var error = Assert.Throws<EnvironmentConfigurationException>(() =>
                EnvironmentConfiguration.Parse(json.ToJsonString(), EnvironmentName.Staging, "infra/environments/staging/environment.json"));
            Assert.Contains("arm", error.Message);
            Assert.Contains("testLoopback", error.Message);
        }
    }

    [Theory]
    [InlineData("{\"arm\":\"https://10.0.0.1/\"}", "\"arm\" 'https://10.0.0.1' is not a loopback address")]
    [InlineData("{\"arm\":\"https://localhost:1/\"}", "\"arm\" 'https://localhost:1' is not a loopback address")]
    [InlineData("{\"arm\":\"http://127.0.0.1:1/\"}", "\"arm\" 'http://127.0.0.1:1/' is not an absolute https:// URL")]
    [InlineData("{\"arm\":\"https://127.0.0.1:1/\",\"proxy\":\"x\"}", "\"proxy\" is not a key of it")]
    [InlineData("{\"arm\":\"https://127.0.0.1:1/\"}", "\"state\" is missing")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{", "is not valid JSON")]
    public void Anything_but_a_complete_loopback_redirection_is_refused_with_what_to_fix(string value, string expected)
    {
        var error = Assert.Throws<UserFacingException>(() => AzureLoopback.Parse(value));

        Assert.Contains(expected, error.Message);
        Assert.Contains("unset it for a real deploy", error.Message);
    }

    [Fact]
    public void It_is_refused_in_GitHub_Actions_whatever_it_holds()
    {
        var staging = EnvironmentConfiguration.Load(RepositoryFiles.Root, EnvironmentName.Staging);
        var variables = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", [AzureLoopback.Variable] = "{\"arm\":\"https://127.0.0.1:1/\"}" };
        var log = new List<string>();

        var error = Assert.Throws<UserFacingException>(() =>
            AzureLoopback.FromVariables(variables, staging, new SecretMasker(), TimeProvider.System, new Stages.DeploymentLog(log.Add, log.Add)));

        Assert.Contains("is set in GitHub Actions: it is a test-only setting that no deploy job may carry", error.Message);
        Assert.Empty(log);
        Assert.Null(AzureLoopback.FromVariables(new Dictionary<string, string>(), staging, new SecretMasker(), TimeProvider.System, new Stages.DeploymentLog(log.Add, log.Add)));
    }

    [Fact]
    public void Loopback_addresses_of_the_whole_range_and_ipv6_are_accepted()
    {
        var settings = AzureLoopback.Parse(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["arm"] = "https://127.0.0.1:1/", ["state"] = "https://127.8.9.10:2/devstoreaccount1/deployments", ["keyVault"] = "https://[::1]:3/",
            ["health"] = "https://127.0.0.2:4/", ["certificates"] = "/nonexistent.pem", ["token"] = "t",
        }));

        Assert.Equal(new Uri("https://[::1]:3/"), settings.KeyVault);
    }
}
