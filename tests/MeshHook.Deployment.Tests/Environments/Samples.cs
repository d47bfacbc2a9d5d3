using System.Text.Json;
using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Tests.Environments;

/// <summary>Valid environment.json documents to start a test from, and a way to change one key at a time.</summary>
internal static class Samples
{
    public const string LocalFile = "infra/environments/local/environment.json";
    public const string DevFile = "infra/environments/dev/environment.json";

    public const string Local = """
        {
          "$schema": "../environment.schema.json",
          "target": { "kind": "local" },
          "url": "http://127.0.0.1:8480",
          "health": { "path": "/health", "intervalSeconds": 1, "timeoutSeconds": 60, "requestTimeoutSeconds": 5 },
          "configuration": {
            "MESHHOOK_ENVIRONMENT": "local",
            "WORKER_HEARTBEAT_MAX_AGE_SECONDS": "30",
            "DEFAULT_WEBHOOK_SECRET": { "secret": "DEFAULT_WEBHOOK_SECRET" }
          },
          "secrets": { "provider": "file" },
          "database": { "kind": "embedded" },
          "protection": { "requireApproval": false, "allowDirtyReleases": true, "allowedDeployers": [] },
          "notifications": [],
          "retention": { "releases": 5 },
          "local": { "edgePort": 8480, "portRange": [41000, 41999] }
        }
        """;

    public const string Dev = """
        {
          "$schema": "../environment.schema.json",
          "target": { "kind": "containerApps", "resourceGroup": "rg-meshhook-dev", "webApp": "ca-meshhook-dev-web",
                      "workerApp": "ca-meshhook-dev-workers", "registry": "crmeshhookdevmh01.azurecr.io",
                      "state": "https://stmeshhookdevmh01.blob.core.windows.net/deployments" },
          "url": "https://dev.meshhook.example.com",
          "health": { "path": "/health", "intervalSeconds": 2, "timeoutSeconds": 180, "requestTimeoutSeconds": 5 },
          "configuration": { "MESHHOOK_ENVIRONMENT": "dev", "DEFAULT_WEBHOOK_SECRET": { "secret": "DEFAULT_WEBHOOK_SECRET" } },
          "secrets": { "provider": "keyvault", "vaultUrl": "https://kv-meshhookdevmh01.vault.azure.net/" },
          "database": { "kind": "external", "url": { "secret": "DATABASE_URL" } },
          "protection": { "requireApproval": false, "allowDirtyReleases": false },
          "retention": { "releases": 3 }
        }
        """;

    public static JsonObject Node(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>The document after <paramref name="change"/>, indented (so line numbers are predictable).</summary>
    public static string Change(string json, Action<JsonObject> change)
    {
        var document = Node(json);
        change(document);
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static EnvironmentConfiguration Parse(string json, EnvironmentName environment = default) =>
        EnvironmentConfiguration.Parse(json, environment, environment == EnvironmentName.Local ? LocalFile : $"infra/environments/{environment.ToText()}/environment.json");

    public static EnvironmentConfigurationException Problems(string json, EnvironmentName environment = default) =>
        Assert.Throws<EnvironmentConfigurationException>(() => Parse(json, environment));

    /// <summary>Writes a repository with just infra/environments/&lt;env&gt;/environment.json (and a .nuke marker).</summary>
    public static void WriteRepository(string root, EnvironmentName environment, string json)
    {
        Directory.CreateDirectory(Path.Combine(root, ".nuke"));
        var file = Path.Combine(root, EnvironmentConfiguration.RelativePath(environment));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, json);
    }
}
