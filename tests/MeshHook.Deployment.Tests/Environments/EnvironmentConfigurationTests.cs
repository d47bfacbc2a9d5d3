using System.Text.Json;
using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Tests.Environments;

public sealed class EnvironmentConfigurationTests : IDisposable
{
    readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Every_well_known_environment_has_an_environment_json_that_loads_and_every_folder_is_a_well_formed_name()
    {
        foreach (var environment in EnvironmentNames.WellKnown)
        {
            var configuration = EnvironmentConfiguration.Load(Repository.Root, environment);
            Assert.Equal(environment, configuration.Name);
            Assert.Equal($"infra/environments/{environment.ToText()}/environment.json", configuration.File);
        }
        foreach (var file in Repository.EnvironmentFiles)
            Assert.True(EnvironmentNames.TryParse(Path.GetFileName(Path.GetDirectoryName(file)), out _), $"{file} is in a folder that is not an environment name.");
        Assert.Equal(EnvironmentNames.WellKnown, EnvironmentNames.Existing(Repository.Root).Where(x => x.IsWellKnown));
    }

    [Fact]
    public void The_repository_environments_say_what_the_issue_asks()
    {
        var local = EnvironmentConfiguration.Load(Repository.Root, EnvironmentName.Local);
        Assert.Equal(TargetKind.Local, local.Target.Kind);
        Assert.Equal(new Uri("http://127.0.0.1:8480"), local.Url);
        Assert.Equal("http://127.0.0.1:8480", local.Origin);
        Assert.Equal(SecretProviderKind.File, local.Secrets.Provider);
        Assert.Equal(DatabaseKind.Embedded, local.Database.Kind);
        Assert.Equal("DEFAULT_WEBHOOK_SECRET", local.Configuration["DEFAULT_WEBHOOK_SECRET"].Secret?.Name);
        Assert.Equal(8480, local.Local!.EdgePort);
        Assert.Equal(new PortRange(41000, 41999), local.Local.PortRange);
        Assert.Equal(("/health", 1, 60, 5), (local.Health.Path, local.Health.IntervalSeconds, local.Health.TimeoutSeconds, local.Health.RequestTimeoutSeconds));
        Assert.Equal(TimeSpan.FromSeconds(60), local.Health.Timeout);
        Assert.Equal(5, local.Retention.Releases);

        foreach (var cloud in new[] { EnvironmentName.Dev, EnvironmentName.Staging, EnvironmentName.Production }.Select(x => EnvironmentConfiguration.Load(Repository.Root, x)))
        {
            Assert.Equal(TargetKind.ContainerApps, cloud.Target.Kind);
            Assert.Equal(SecretProviderKind.KeyVault, cloud.Secrets.Provider);
            Assert.Equal(DatabaseKind.External, cloud.Database.Kind);
            Assert.Equal("DATABASE_URL", cloud.Database.Url!.Name);
            Assert.Equal("https", cloud.Url.Scheme);
            Assert.Null(cloud.Local);
        }

        var production = EnvironmentConfiguration.Load(Repository.Root, EnvironmentName.Production);
        Assert.True(production.Protection.RequireApproval);
        Assert.False(production.Protection.AllowDirtyReleases);
    }

    [Fact]
    public void Malformed_json_is_reported_with_file_line_and_column()
    {
        var json = "{\n  \"target\": { \"kind\": \"local\" }\n  \"url\": \"http://127.0.0.1:8480\"\n}\n";

        var error = Samples.Problems(json);

        Assert.StartsWith("infra/environments/local/environment.json:3:3: not valid JSON: ", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
        Assert.Equal(Samples.LocalFile, error.File);
    }

    [Fact]
    public void An_unknown_key_is_reported_where_it_is_with_the_allowed_keys_and_the_closest_one()
    {
        var json = Samples.Local.Replace("\"health\":", "\"helth\":").Replace("\"timeoutSeconds\"", "\"timeoutSecond\"");

        var error = Samples.Problems(json);

        Assert.Equal(
        [
            "infra/environments/local/environment.json:1:1: health: missing; required: an object { \"path\", \"intervalSeconds\", \"timeoutSeconds\", " +
            "\"requestTimeoutSeconds\" }.",
            "infra/environments/local/environment.json:5:3: helth: unknown key; allowed here: $schema, description, target, url, health, configuration, " +
            "secrets, database, protection, notifications, retention, local. Did you mean 'health'?",
        ], error.Errors);
    }

    [Fact]
    public void An_unknown_key_inside_a_section_suggests_the_key_meant()
    {
        var json = Samples.Change(Samples.Local, x => x["health"]!.AsObject()["timeout_seconds"] = 30);

        var error = Samples.Problems(json);

        var problem = Assert.Single(error.Errors);
        Assert.Matches(@"^infra/environments/local/environment\.json:\d+:\d+: health\.timeout_seconds: unknown key; allowed here: path, intervalSeconds, " +
                       @"timeoutSeconds, requestTimeoutSeconds\. Did you mean 'timeoutSeconds'\?$", problem);
    }

    [Fact]
    public void A_wrong_enum_value_lists_the_allowed_values()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["target"]!["kind"] = "cloud";
            x["secrets"]!["provider"] = "vault"; // a secret provider that does not exist
            x["notifications"] = new JsonArray(new JsonObject { ["kind"] = "teams" });
        });

        var error = Samples.Problems(json);

        Assert.Contains(error.Errors, x => x.EndsWith(": target.kind: 'cloud' is not allowed; allowed: local, containerApps, ssh.", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": secrets.provider: 'vault' is not allowed; allowed: env, file, keyvault. Did you mean 'keyvault'?", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": notifications[0].kind: 'teams' is not allowed; allowed: slack, github, email, webhook.", StringComparison.Ordinal));
    }

    [Fact]
    public void An_out_of_range_number_names_the_range()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["health"]!["timeoutSeconds"] = 0;
            x["retention"]!["releases"] = 1;
            x["local"]!["portRange"] = new JsonArray(41000, 70000);
            x["health"]!["intervalSeconds"] = 1.5;
        });

        var error = Samples.Problems(json);

        Assert.Contains(error.Errors, x => x.EndsWith(": health.timeoutSeconds: 0 is out of range; allowed: an integer from 1 to 3600.", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": retention.releases: 1 is out of range; allowed: an integer from 2 to 100.", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": local.portRange[1]: 70000 is out of range; allowed: an integer from 1024 to 65535.", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": health.intervalSeconds: expected an integer from 1 to 60, got 1.5 (not a whole number).", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://0.0.0.0:8480")]
    [InlineData("http://192.168.1.20:8480")]
    [InlineData("http://meshhook.example.com:8480")]
    public void A_local_url_beyond_loopback_is_refused_without_the_explicit_opt_in(string url)
    {
        var json = Samples.Change(Samples.Local, x => x["url"] = url);

        var error = Samples.Problems(json);

        var problem = Assert.Single(error.Errors);
        Assert.StartsWith("infra/environments/local/environment.json:", problem);
        Assert.Contains($": url: '{url}' is not a loopback address", problem);
        Assert.Contains("\"local\": { \"exposeBeyondLoopback\": true }", problem);

        var optedIn = Samples.Parse(Samples.Change(json, x => x["local"]!["exposeBeyondLoopback"] = true));
        Assert.True(optedIn.Local!.ExposeBeyondLoopback);
        Assert.Equal(new Uri(url), optedIn.Url);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8480")]
    [InlineData("http://127.0.0.2:8480")]
    [InlineData("http://localhost:8480")]
    [InlineData("http://[::1]:8480")]
    public void A_local_url_on_loopback_needs_no_opt_in(string url)
    {
        var configuration = Samples.Parse(Samples.Change(Samples.Local, x => x["url"] = url));

        Assert.False(configuration.Local!.ExposeBeyondLoopback);
    }

    [Fact]
    public void A_missing_required_section_is_named_with_what_it_must_be()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x.Remove("secrets");
            x.Remove("local");
        });

        var error = Samples.Problems(json);

        Assert.Equal(
        [
            "infra/environments/local/environment.json:1:1: secrets: missing; required: an object { \"provider\": \"env\" | \"file\" | \"keyvault\", ... }.",
            "infra/environments/local/environment.json:1:1: local: missing; required: an object { \"edgePort\", \"portRange\" } (target.kind is local).",
        ], error.Errors);
        Assert.StartsWith("infra/environments/local/environment.json has 2 problems:" + Environment.NewLine + "  infra/", error.Message);
    }

    [Fact]
    public void Every_problem_of_the_file_is_reported_at_once_in_file_order()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["retention"]!["releases"] = 0;
            x["url"] = "ftp://127.0.0.1";
            x["health"]!["path"] = "health";
        });

        var error = Samples.Problems(json);

        Assert.Equal(3, error.Errors.Count);
        Assert.Equal(["url", "health.path", "retention.releases"], error.Errors.Select(x => x.Split(": ")[1]));
        Assert.Matches(@"^infra/environments/local/environment\.json:6:3: url: 'ftp://127\.0\.0\.1' is not allowed; allowed: the public origin", error.Errors[0]);
    }

    [Fact]
    public void Wrong_types_say_what_is_expected_and_never_repeat_a_string_that_may_be_a_secret()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["configuration"]!["WORKER_HEARTBEAT_MAX_AGE_SECONDS"] = 30;
            x["database"] = new JsonObject { ["kind"] = "external", ["url"] = "postgres://meshhook:hunter2-password@db:5432/meshhook" };
            x["protection"]!["requireApproval"] = "yes";
            x["health"] = "fast";
        });

        var error = Samples.Problems(json);

        Assert.Contains(error.Errors, x => x.EndsWith(": configuration.WORKER_HEARTBEAT_MAX_AGE_SECONDS: expected a string or a secret reference { \"secret\": \"NAME\" }, " +
                                                      "got a number (30); write it as a string: \"30\".", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": database.url: expected a secret reference { \"secret\": \"DATABASE_URL\" } (a connection string holds a password), got a string.", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": protection.requireApproval: expected true or false, got a string (write it without quotes).", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": health: expected an object { \"path\", \"intervalSeconds\", \"timeoutSeconds\", \"requestTimeoutSeconds\" }, got a string.", StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void Secret_references_have_one_key_naming_a_valid_secret()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["configuration"]!["A_SECRET"] = new JsonObject { ["secret"] = "webhook-secret" };
            x["configuration"]!["B_SECRET"] = new JsonObject { ["secret"] = "B", ["provider"] = "vault" };
            x["configuration"]!["C_SECRET"] = new JsonObject();
            x["configuration"]!["lower_case"] = "x";
        });

        var error = Samples.Problems(json);

        Assert.Contains(error.Errors, x => x.EndsWith(": configuration.A_SECRET.secret: 'webhook-secret' is not a valid name; allowed: upper-case letters, digits and '_', " +
                                                      "not starting with a digit (e.g. WEBHOOK_SECRET).", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": configuration.B_SECRET.provider: unknown key; allowed here: secret.", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.EndsWith(": configuration.C_SECRET.secret: missing; required: the secret's name (upper-case letters, digits and '_', not starting with a digit).", StringComparison.Ordinal));
        Assert.Contains(error.Errors, x => x.Contains(": configuration.lower_case: 'lower_case' is not a valid name; allowed: upper-case letters, digits and '_', not starting with a digit (e.g. LOWER_CASE).", StringComparison.Ordinal));
    }

    [Fact]
    public void Keys_of_another_variant_and_contradicting_sections_are_refused()
    {
        var local = Samples.Change(Samples.Local, x =>
        {
            x["secrets"]!["vaultUrl"] = "https://kv-meshhookdevmh01.vault.azure.net/";
            x["target"]!["registry"] = "crmeshhookdevmh01.azurecr.io";
            x["local"]!["edgePort"] = 8481;
            x["configuration"]!["MESHHOOK_ENVIRONMENT"] = "production";
            x["configuration"]!["DATABASE_URL"] = "postgres://localhost/meshhook";
        });
        var localErrors = Samples.Problems(local).Errors;
        Assert.Contains(localErrors, x => x.EndsWith(": secrets.vaultUrl: only the keyvault provider has a vaultUrl (secrets.provider is file).", StringComparison.Ordinal));
        Assert.Contains(localErrors, x => x.EndsWith(": target.registry: only a containerApps target has registry (target.kind is local).", StringComparison.Ordinal));
        Assert.Contains(localErrors, x => x.EndsWith(": local.edgePort: 8481 differs from the port of url (8480); the edge listens on local.edgePort and url is where it is reached: make them the same.", StringComparison.Ordinal));
        Assert.Contains(localErrors, x => x.EndsWith(": configuration.MESHHOOK_ENVIRONMENT: must be \"local\" in local's file (the apps report it); leave it out and the deployer sets it.", StringComparison.Ordinal));
        Assert.Contains(localErrors, x => x.EndsWith(": configuration.DATABASE_URL: is not set here: the deployer sets it from the database section.", StringComparison.Ordinal));

        var dev = Samples.Change(Samples.Dev, x =>
        {
            x["database"] = new JsonObject { ["kind"] = "embedded" };
            x["local"] = new JsonObject { ["edgePort"] = 8480, ["portRange"] = new JsonArray(41000, 41999) };
            x["url"] = "http://dev.meshhook.example.com";
        });
        var devErrors = Samples.Problems(dev, EnvironmentName.Dev).Errors;
        Assert.Contains(devErrors, x => x.EndsWith(": database.kind: embedded is only for a local target (target.kind is containerApps); use { \"kind\": \"external\", \"url\": { \"secret\": \"DATABASE_URL\" } }.", StringComparison.Ordinal));
        Assert.Contains(devErrors, x => x.EndsWith(": local: only a local target has a local section (target.kind is containerApps).", StringComparison.Ordinal));
        Assert.Contains(devErrors, x => x.EndsWith(": url: 'http://dev.meshhook.example.com' is not https; a containerApps target is public: allowed: https://host.", StringComparison.Ordinal));
    }

    [Fact]
    public void Port_ranges_must_hold_two_releases_and_leave_the_edge_port_out()
    {
        var reversed = Samples.Problems(Samples.Change(Samples.Local, x => x["local"]!["portRange"] = new JsonArray(42000, 42000)));
        Assert.Contains(reversed.Errors, x => x.EndsWith(": local.portRange: [42000, 42000] is not a range of at least 2 ports; allowed: [first, last]: two ports from 1024 to 65535, at least 2 ports, first below last.", StringComparison.Ordinal));

        var overlapping = Samples.Problems(Samples.Change(Samples.Local, x => x["local"]!["portRange"] = new JsonArray(8000, 9000)));
        Assert.Contains(overlapping.Errors, x => x.EndsWith(": local.edgePort: 8480 is inside local.portRange [8000, 9000]; the edge port must be outside the releases' ports.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_given_twice_is_refused()
    {
        var json = Samples.Local.Replace("\"retention\": { \"releases\": 5 }", "\"retention\": { \"releases\": 5, \"releases\": 7 }");

        var error = Samples.Problems(json);

        Assert.Contains(error.Errors, x => x.EndsWith(": retention.releases: appears more than once in this object; keep one.", StringComparison.Ordinal));
    }

    [Fact]
    public void Optional_keys_take_their_documented_defaults()
    {
        var json = Samples.Change(Samples.Local, x =>
        {
            x["health"] = new JsonObject();
            x["protection"] = new JsonObject();
            x["retention"] = new JsonObject();
            x.Remove("notifications");
            x.Remove("$schema");
        });

        var configuration = Samples.Parse(json);

        Assert.Equal(("/health", 1, 60, 5), (configuration.Health.Path, configuration.Health.IntervalSeconds, configuration.Health.TimeoutSeconds, configuration.Health.RequestTimeoutSeconds));
        Assert.False(configuration.Protection.RequireApproval);
        Assert.False(configuration.Protection.AllowDirtyReleases);
        Assert.True(configuration.Protection.Allows("anyone"));
        Assert.Equal(5, configuration.Retention.Releases);
        Assert.Empty(configuration.Notifications);
    }

    [Fact]
    public void Secret_references_are_listed_with_the_key_that_refers_to_them()
    {
        var json = Samples.Change(Samples.Dev, x => x["notifications"] = new JsonArray(
            new JsonObject { ["kind"] = "github" },
            new JsonObject { ["kind"] = "slack", ["settings"] = new JsonObject { ["webhookUrl"] = new JsonObject { ["secret"] = "SLACK_WEBHOOK_URL" }, ["channel"] = "#deploys" } }));

        var configuration = Samples.Parse(json, EnvironmentName.Dev);

        Assert.Equal(
        [
            ("configuration.DEFAULT_WEBHOOK_SECRET", "DEFAULT_WEBHOOK_SECRET"),
            ("database.url", "DATABASE_URL"),
            ("notifications[1].settings.webhookUrl", "SLACK_WEBHOOK_URL"),
        ], configuration.SecretReferences.Select(x => (x.Path, x.Secret.Name)));
        Assert.Equal("#deploys", Assert.IsType<SlackSettings>(configuration.Notifications[1].Settings).Channel);
        Assert.Equal(NotificationKind.GitHub, configuration.Notifications[0].Kind);
    }

    [Fact]
    public void An_unknown_environment_lists_the_ones_there_are_with_the_closest_and_how_to_create_one()
    {
        var error = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentNames.Resolve(Repository.Root, "prod"));
        Assert.StartsWith("infra/environments/prod/environment.json: not found (looked in ", error.Message);
        Assert.Contains("so there is no environment 'prod'. Environments here: local, dev, staging, production", error.Message);
        Assert.Contains("Did you mean 'production'? To create one, copy a folder of infra/environments/ to infra/environments/prod/", error.Message);

        var load = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentConfiguration.Load(Repository.Root, "qa"));
        Assert.Contains("there is no environment 'qa'", load.Message);
        Assert.DoesNotContain("Did you mean", load.Message);
        Assert.Equal(EnvironmentName.Staging, EnvironmentNames.Resolve(Repository.Root, "staging"));
    }

    [Fact]
    public void Any_well_formed_name_with_its_folder_is_an_environment_listed_with_the_others()
    {
        _scratch.Write("infra/environments/edge-eu-2/environment.json", Samples.Local);
        _scratch.Write("infra/environments/local/environment.json", Samples.Local);
        _scratch.Write("infra/environments/no-file/readme.txt", "not an environment: no environment.json");
        _scratch.Write("infra/environments/Bad.Name/environment.json", Samples.Local);

        var environment = EnvironmentNames.Resolve(_scratch.Path, "edge-eu-2");

        Assert.Equal("edge-eu-2", environment.ToText());
        Assert.False(environment.IsWellKnown);
        Assert.False(environment.IsCloud);
        Assert.Equal(EnvironmentNames.Parse("edge-eu-2"), environment);
        Assert.Equal(["local", "edge-eu-2"], EnvironmentNames.Existing(_scratch.Path).Select(x => x.ToText()));
        var error = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentNames.Resolve(_scratch.Path, "edge-eu-3"));
        Assert.Contains("Environments here: local, edge-eu-2. Did you mean 'edge-eu-2'?", error.Message);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("Prod;rm -rf /")]
    [InlineData("Staging")]
    [InlineData("")]
    [InlineData(" staging")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("-x")]
    [InlineData("1st")]
    [InlineData("x\u0000y")]
    [InlineData("$(id)")]
    [InlineData("x\ny")]
    [InlineData("abcdefghijklmnopqrstuvwxyz-abcdef")]
    public void A_malformed_or_hostile_name_is_refused_before_any_file_is_read(string text)
    {
        text = System.Text.RegularExpressions.Regex.Unescape(text);
        // A root that does not exist: reaching the file system would say "not found", not what is wrong with the name.
        var root = _scratch.Combine("no-such-repository");

        var error = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentConfiguration.Load(root, text));

        Assert.Contains(text.Length == 0 ? "An environment name is empty." : "is not an environment name: allowed are lower-case letters, digits and '-'", error.Message);
        Assert.DoesNotContain("not found", error.Message);
        Assert.DoesNotContain(error.Message, char.IsControl); // a control character is shown escaped, never sent to the terminal
        Assert.False(EnvironmentNames.TryParse(text, out _));
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void A_name_in_the_wrong_case_is_refused_with_the_right_one()
    {
        var error = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentNames.Parse("Staging"));

        Assert.Equal("'Staging' is not an environment name: allowed are lower-case letters, digits and '-', starting with a letter, at most 31 characters " +
                     "(it becomes a folder, a journal and a GitHub environment name). Did you mean 'staging'?", error.Message);
        Assert.Equal(EnvironmentName.Staging, EnvironmentNames.Parse("staging"));
        Assert.Equal(EnvironmentName.Local, default);
    }

    [Fact]
    public void A_missing_environment_json_is_named()
    {
        var error = Assert.Throws<EnvironmentConfigurationException>(() => EnvironmentConfiguration.Load(_scratch.Path, EnvironmentName.Staging));

        Assert.StartsWith("infra/environments/staging/environment.json: not found (looked in " + _scratch.Combine("infra", "environments", "staging", "environment.json"), error.Message);
    }

    [Fact]
    public void A_file_that_is_not_an_object_says_which_sections_it_needs()
    {
        var error = Samples.Problems("[]");

        Assert.Equal("infra/environments/local/environment.json:1:1: expected an object with the sections target, url, health, configuration, secrets, database, " +
                     "protection, retention, got an array.", error.Message);
    }

    [Fact]
    public void Positions_point_at_the_key_even_in_a_compact_file()
    {
        var json = JsonSerializer.Serialize(JsonNode.Parse(Samples.Local)).Replace("\"timeoutSeconds\":60", "\"timeoutSeconds\":0");

        var error = Samples.Problems(json);

        var column = json.IndexOf("\"timeoutSeconds\"", StringComparison.Ordinal) + 1;
        Assert.Equal($"infra/environments/local/environment.json:1:{column}: health.timeoutSeconds: 0 is out of range; allowed: an integer from 1 to 3600.", error.Message);
    }
}
