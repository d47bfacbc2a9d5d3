using System.Text.Json;
using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Tests.Environments;

namespace MeshHook.Deployment.Tests.Ssh;

public sealed class SshTargetOptionsTests
{
    const string Key = "AAAAC3NzaC1lZDI1NTE5AAAAIH3wW8VQF5bTNhH8sJ7cY0f1c2kQ1m3b2n1p0o9i8u7y";

    public const string Sample = """
        {
          "$schema": "../environment.schema.json",
          "target": {
            "kind": "ssh",
            "hosts": [
              { "address": "127.0.0.2", "port": 2222, "user": "root", "roles": ["web", "workers"] },
              { "address": "127.0.0.3", "user": "root", "roles": ["web"], "hostKey": "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8" }
            ],
            "deployPath": "/srv/meshhook",
            "key": { "secret": "SSH_PRIVATE_KEY" },
            "knownHosts": "[127.0.0.2]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3wW8VQF5bTNhH8sJ7cY0f1c2kQ1m3b2n1p0o9i8u7y",
            "bootLimit": 1,
            "edgePort": 8480
          },
          "url": "http://127.0.0.2:8480",
          "health": { "path": "/health", "intervalSeconds": 1, "timeoutSeconds": 60, "requestTimeoutSeconds": 5 },
          "configuration": { "MESHHOOK_ENVIRONMENT": "staging" },
          "secrets": { "provider": "env" },
          "database": { "kind": "external", "url": { "secret": "DATABASE_URL" } },
          "protection": { "requireApproval": false, "allowDirtyReleases": true },
          "retention": { "releases": 3 }
        }
        """;

    static readonly SchemaValidator Schema = new(JsonDocument.Parse(File.ReadAllText(Repository.SchemaFile)).RootElement);

    internal static IReadOnlyList<string> SchemaProblems(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Validate(document.RootElement);
    }

    [Fact]
    public void An_ssh_target_is_read_with_its_hosts_pins_and_limits_and_the_schema_agrees()
    {
        var configuration = Samples.Parse(Sample, EnvironmentName.Staging);

        var ssh = configuration.Target.Ssh!;
        Assert.Equal(TargetKind.Ssh, configuration.Target.Kind);
        Assert.Equal(["root@127.0.0.2:2222", "root@127.0.0.3:22"], ssh.Hosts.Select(x => x.Name));
        Assert.Equal([SshRole.Web, SshRole.Workers], ssh.Hosts[0].Roles);
        Assert.Equal("/srv/meshhook", ssh.DeployPath);
        Assert.Equal("SSH_PRIVATE_KEY", ssh.Key.Name);
        Assert.Equal([SshTargetOptions.FingerprintOf(Convert.FromBase64String(Key))], ssh.HostKeys[ssh.Hosts[0]]);
        Assert.Equal(["SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"], ssh.HostKeys[ssh.Hosts[1]]);
        Assert.Equal((1, 8480), (ssh.BootLimit, ssh.EdgePort));
        Assert.Empty(SchemaProblems(Sample));
    }

    [Fact]
    public void An_ssh_target_may_keep_its_lock_and_journal_in_a_state_container_and_the_schema_agrees()
    {
        Assert.Null(Samples.Parse(Sample, EnvironmentName.Staging).Target.Ssh!.State); // by default: on the first host

        var json = Samples.Change(Sample, x => x["target"]!["state"] = "https://stmeshhook01.blob.core.windows.net/deployments");

        Assert.Equal(new Uri("https://stmeshhook01.blob.core.windows.net/deployments"), Samples.Parse(json, EnvironmentName.Staging).Target.Ssh!.State);
        Assert.Empty(SchemaProblems(json));
        Assert.NotEmpty(SchemaProblems(Samples.Change(Sample, x => x["target"]!["state"] = "https://example.com/deployments")));
    }

    [Fact]
    public void A_host_without_a_pinned_key_is_refused_with_how_to_pin_it()
    {
        var json = Samples.Change(Sample, x => x["target"]!["hosts"]![1]!.AsObject().Remove("hostKey"));

        var error = Samples.Problems(json, EnvironmentName.Staging);

        Assert.Contains(error.Errors, x => x.EndsWith(
            ": target.hosts[1]: root@127.0.0.3:22 has no pinned host key: add a knownHosts line for '127.0.0.3' (ssh-keyscan -p PORT ADDRESS prints it) " +
            "or \"hostKey\": \"SHA256:...\" (ssh-keygen -lf the host's key).", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("deployPath", "\"srv/meshhook\"", "target.deployPath: 'srv/meshhook' is not allowed; allowed: an absolute path")]
    [InlineData("deployPath", "\"/srv/../etc\"", "target.deployPath: '/srv/../etc' is not allowed")]
    [InlineData("deployPath", "\"/srv/x;rm -rf /\"", "target.deployPath: '/srv/x;rm -rf /' is not allowed")]
    [InlineData("bootLimit", "3", "target.bootLimit: 3 is more than the 2 host(s); allowed: 1 to 2.")]
    [InlineData("knownHosts", "\"|1|abc= ssh-ed25519 AAAA\"", "target.knownHosts: line 1 is hashed (ssh-keyscan -H)")]
    [InlineData("resourceGroup", "\"rg-x\"", "target.resourceGroup: only a containerApps target has resourceGroup (target.kind is ssh).")]
    [InlineData("state", "\"http://stmeshhook01.blob.core.windows.net/deployments\"", "target.state: 'http://stmeshhook01.blob.core.windows.net/deployments' is not a deployment-state container URL; expected https://<account>.blob.core.windows.net/<container> (infra output deployment_state_url), or leave state out to keep the lock and journal on the first host.")]
    [InlineData("state", "\"https://stmeshhook01.blob.core.windows.net/\"", "target.state: 'https://stmeshhook01.blob.core.windows.net/' is not a deployment-state container URL")]
    [InlineData("releasePorts", "[42000, 41000]", "target.releasePorts: [42000, 41000] is not a range of at least 2 ports; allowed: [first, last]: two ports from 1024 to 65535, at least 2 ports, first below last.")]
    [InlineData("releasePorts", "[42000]", "target.releasePorts: expected [first, last]: two ports from 1024 to 65535, at least 2 ports, got 1 value(s).")]
    [InlineData("releasePorts", "[80, 90]", "target.releasePorts[0]: 80 is out of range; allowed: an integer from 1024 to 65535.")]
    [InlineData("releasePorts", "\"41000-41999\"", "target.releasePorts: expected [first, last]: two ports from 1024 to 65535, at least 2 ports, got")]
    [InlineData("releasePorts", "[8000, 9000]", "target.edgePort: 8480 is inside target.releasePorts [8000, 9000]; the edge port must be outside the releases' ports.")]
    public void Bad_ssh_settings_are_named_with_what_is_allowed(string key, string value, string message)
    {
        var json = Samples.Change(Sample, x => x["target"]![key] = JsonNode.Parse(value));

        var error = Samples.Problems(json, EnvironmentName.Staging);

        Assert.True(error.Errors.Any(x => x.Contains(": " + message, StringComparison.Ordinal)), string.Join("\n", error.Errors));
    }

    [Theory]
    [InlineData("user", "\"root; id\"", "target.hosts[0].user: 'root; id' is not a user name")]
    [InlineData("address", "\"-oProxyCommand=x\"", "target.hosts[0].address: '-oProxyCommand=x' is not a host name or IP address")]
    [InlineData("roles", "[\"db\"]", "target.hosts[0].roles[0]: \"db\" is not a role; allowed: \"web\", \"workers\".")]
    [InlineData("hostKey", "\"md5:aa\"", "target.hosts[0].hostKey: 'md5:aa' is not a SHA256 fingerprint")]
    public void Bad_hosts_are_named_with_what_is_allowed(string key, string value, string message)
    {
        var json = Samples.Change(Sample, x => x["target"]!["hosts"]![0]![key] = JsonNode.Parse(value));

        var error = Samples.Problems(json, EnvironmentName.Staging);

        Assert.True(error.Errors.Any(x => x.Contains(": " + message, StringComparison.Ordinal)), string.Join("\n", error.Errors));
        Assert.NotEmpty(SchemaProblems(json));
    }

    [Fact]
    public void A_local_target_may_not_carry_ssh_settings()
    {
        var json = Samples.Change(Samples.Local, x => x["target"]!["hosts"] = new JsonArray());

        var error = Samples.Problems(json);

        Assert.Contains(error.Errors, x => x.EndsWith(": target.hosts: only an ssh target has hosts (target.kind is local).", StringComparison.Ordinal));
        Assert.NotEmpty(SchemaProblems(json));
    }
}
