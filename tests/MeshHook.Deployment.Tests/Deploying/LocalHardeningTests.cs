using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Secrets;
using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>The local target's protections, on a real local environment (issue 15): health path, dying releases, modes, masking.</summary>
[Collection(LocalEnvironments.Name)]
public sealed class LocalHardeningTests
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task A_release_whose_web_exits_at_once_fails_at_once_with_its_exit_code_and_its_masked_log_tail()
    {
        // An hour of health timeout: the deploy must not wait for it (the bound below fails the test long before).
        await using var local = await LocalDeployment.CreateAsync(Token, healthTimeout: TimeSpan.FromHours(1));
        var dying = local.Release(tamperWeb: web => File.WriteAllText(Path.Combine(web, "build", "index.js"), """
            console.log(`starting with ${process.env.FIXTURE_TOKEN} and ${JSON.stringify({ token: process.env.FIXTURE_TOKEN })}`);
            console.error('fatal: the configuration is broken');
            process.exit(3);
            """));
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Token);
        bound.CancelAfter(TimeSpan.FromMinutes(3));

        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => local.Environment.DeployAsync(dying, LocalDeployment.Options(), bound.Token));

        Assert.False(bound.IsCancellationRequested);
        Assert.Equal(Outcomes.Failed, error.Outcome);
        Assert.Contains(error.Stage, new[] { Stage.Start, Stage.HealthCheck });
        Assert.Contains("exited with code 3", error.Message);
        Assert.Contains("fatal: the configuration is broken", error.Message);
        Assert.Contains("starting with *** and {\"token\":\"***\"}", error.Message);
        Assert.DoesNotContain(LocalDeployment.Canary, error.Message);
        Assert.DoesNotContain(local.Environment.Journal.ReadDeployments(), x => x.Outcome == null);
        Assert.DoesNotContain(LocalDeployment.Canary, File.ReadAllText(local.Environment.Layout.Journal));
    }

    [Fact]
    public async Task A_non_default_health_path_is_what_deploy_verify_and_status_check()
    {
        await using var local = await LocalDeployment.CreateAsync(Token, healthPath: "/status/ready");
        var release = local.Release();

        await local.Environment.DeployAsync(release, LocalDeployment.Options(), Token);

        Assert.Equal((200, release.Id), await local.StableHealthAsync(Token));
        var status = await local.Environment.StatusAsync(Token);
        Assert.Equal(("ok", release.Id), (status.Health, status.ServingRelease));
        Assert.Null(await local.Environment.DeployAsync(release, LocalDeployment.Options(), Token)); // already current and healthy
    }

    [Fact]
    public async Task State_folders_are_0700_logs_are_0600_and_masked_and_the_database_password_is_generated_and_never_on_a_command_line()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var layout = local.Environment.Layout;
        // An environment made by an older version: folders 0755.
        Directory.CreateDirectory(layout.Shared);
        File.SetUnixFileMode(layout.Root, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var release = local.Release(tamperWeb: web => File.AppendAllText(Path.Combine(web, "build", "index.js"),
            "\nconsole.log(`token ${process.env.FIXTURE_TOKEN} url ${encodeURIComponent(process.env.FIXTURE_TOKEN)} db ${process.env.PGPASSWORD}`);\n"));

        await local.Environment.DeployAsync(release, LocalDeployment.Options(), Token);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(layout.Root));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(layout.Shared));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(layout.Shared, "logs")));
        var web = local.Environment.Processes.All().Single(x => x.Name.StartsWith("web-", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(web.LogFile));
        var log = await ReadUntilAsync(web.LogFile, "token ");
        Assert.Contains("token *** url *** db ***", log);
        Assert.DoesNotContain(LocalDeployment.Canary, log);

        // A generated password, not postgres: in the encrypted store and the 0600 env file, on no command line.
        var store = SecretStore.Open(local.Root, MeshHook.Deployment.Environments.EnvironmentName.Local,
            new Dictionary<string, string> { ["MESHHOOK_SECRETS_KEY"] = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(local.Root, "fixture.json"))).RootElement.GetProperty("Key").GetString()! },
            new Tooling.SecretMasker());
        var password = store.Get(DeploymentConfiguration.EmbeddedDatabasePassword);
        Assert.NotEqual("postgres", password);
        Assert.Contains($"PGPASSWORD='{password}'", File.ReadAllText(layout.EnvironmentFile));
        Assert.DoesNotContain(log, password);
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(x => int.TryParse(Path.GetFileName(x), out _)))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(process, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            Assert.DoesNotContain(password, commandLine);
            Assert.DoesNotContain("postgres:postgres@", commandLine);
        }
    }

    static async Task<string> ReadUntilAsync(string file, string text)
    {
        // Bounds a hang only: the line is written as the web process starts.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Token);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var content = File.Exists(file) ? await File.ReadAllTextAsync(file, bound.Token) : "";
            if (content.Contains(text))
                return content;
            await Task.Delay(20, bound.Token);
        }
    }
}
