using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>target</c>: where the releases run.
/// <code>
/// "target": { "kind": "local" }
/// "target": { "kind": "containerApps", "resourceGroup": "rg-meshhook-dev", "webApp": "ca-meshhook-dev-web",
///             "workerApp": "ca-meshhook-dev-workers", "registry": "crmeshhookdevmh01.azurecr.io",
///             "state": "https://stmeshhookdevmh01.blob.core.windows.net/deployments" }
/// </code>
/// The Container Apps names are the ones infra/ creates for the environment (see infra/locals.tf).
/// </summary>
public sealed partial class TargetOptions
{
    public TargetKind Kind { get; init; }

    /// <summary>containerApps: the environment's resource group.</summary>
    public string? ResourceGroup { get; init; }

    /// <summary>containerApps: the container app serving the web (its ingress is <c>url</c>).</summary>
    public string? WebApp { get; init; }

    /// <summary>containerApps: the container app running the workers.</summary>
    public string? WorkerApp { get; init; }

    /// <summary>containerApps: the registry's login server the release images are pushed to.</summary>
    public string? Registry { get; init; }

    /// <summary>
    /// containerApps: the blob container holding the deployment journal and lock (infra output deployment_state_url,
    /// e.g. https://stmeshhookdevmh01.blob.core.windows.net/deployments).
    /// </summary>
    public Uri? State { get; init; }

    /// <summary>containerApps: the subscription of the resource group; when absent, AZURE_SUBSCRIPTION_ID (which infra/ sets per GitHub environment).</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>ssh: the hosts, deploy path, key and pinned host keys.</summary>
    public SshTargetOptions? Ssh { get; init; }

    internal static TargetOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var kind = section.Enum<TargetKind>("kind", required: true);
        TargetOptions? target = null;
        if (kind == TargetKind.ContainerApps)
        {
            target = new TargetOptions
            {
                Kind = TargetKind.ContainerApps,
                ResourceGroup = section.String("resourceGroup", required: true, "a resource group name (1-90 letters, digits, '-', '_', '.', '(', ')')",
                    x => ResourceGroupName().IsMatch(x) ? null : $"'{x}' is not a resource group name; allowed: 1-90 letters, digits, '-', '_', '.', '(', ')', not ending with '.'."),
                WebApp = section.String("webApp", required: true, "a container app name", AppProblem),
                WorkerApp = section.String("workerApp", required: true, "a container app name", AppProblem),
                Registry = section.String("registry", required: true, "a registry login server (<name>.azurecr.io)",
                    x => RegistryServer().IsMatch(x) ? null : $"'{x}' is not a registry login server; allowed: <name>.azurecr.io with a name of 5-50 lower-case letters and digits."),
                State = section.String("state", required: true, "the deployment-state container URL (https://<account>.blob.core.windows.net/<container>)",
                    x => StateContainer().IsMatch(x) ? null : $"'{x}' is not a deployment-state container URL; expected https://<account>.blob.core.windows.net/<container> (infra output deployment_state_url).")
                    is { } state ? new Uri(state) : null,
                SubscriptionId = section.String("subscriptionId", required: false, "a subscription id (a GUID)",
                    x => SubscriptionGuid().IsMatch(x) ? null : $"'{x}' is not a subscription id; expected a GUID like 00000000-0000-0000-0000-000000000000 (or leave it out and set AZURE_SUBSCRIPTION_ID)."),
            };
        }
        else if (kind == TargetKind.Ssh)
        {
            foreach (var key in CloudKeys.Where(x => x != "state")) // an ssh target may keep its lock and journal in a state container
                section.Forbid(key, $"only a containerApps target has {key} (target.kind is ssh).");
            // The ssh keys are read (and unknown ones rejected) by SshTargetOptions; a null result has recorded why.
            var ssh = SshTargetOptions.Read(section);
            return ssh is null ? null : new TargetOptions { Kind = TargetKind.Ssh, Ssh = ssh };
        }
        else
        {
            foreach (var key in SshKeys)
            {
                if (kind is not null)
                    section.Forbid(key, $"only an ssh target has {key} (target.kind is {JsonEnum.Name(kind.Value)}).");
                else
                    section.Has(key);
            }
            foreach (var key in CloudKeys)
            {
                // With no valid kind the variant is unknown: report the kind alone.
                if (kind is null)
                    section.Has(key);
                else
                    section.Forbid(key, $"only a containerApps target has {key} (target.kind is {JsonEnum.Name(kind.Value)}).");
            }
            if (kind is { } local)
                target = new TargetOptions { Kind = local };
        }
        section.RejectUnknownKeys();
        return target;
    }

    static readonly string[] CloudKeys = ["resourceGroup", "webApp", "workerApp", "registry", "state", "subscriptionId"];
    static readonly string[] SshKeys = ["hosts", "deployPath", "key", "knownHosts", "bootLimit", "edgePort"];

    static string? AppProblem(string name) =>
        ContainerAppName().IsMatch(name)
            ? null
            : $"'{name}' is not a container app name; allowed: 2-32 lower-case letters, digits and '-', starting with a letter, not ending with '-'.";

    [GeneratedRegex(@"^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]\z", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceGroupName();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,30}[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerAppName();

    [GeneratedRegex(@"^[a-z0-9]{5,50}\.azurecr\.io\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryServer();

    [GeneratedRegex(@"^https://[a-z0-9]{3,24}\.blob\.core\.windows\.net/[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex StateContainer();

    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SubscriptionGuid();
}
