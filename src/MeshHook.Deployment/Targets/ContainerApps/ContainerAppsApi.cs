namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>The Microsoft.App REST contract this client speaks (ContainerApps.json and ContainerAppsRevisions.json).</summary>
public static class ContainerAppsApi
{
    /// <summary>The stable api-version of Microsoft.App every request names.</summary>
    public const string ApiVersion = "2025-01-01";

    /// <summary>The scope of the ARM access token.</summary>
    public const string Scope = "https://management.azure.com/.default";

    public static readonly Uri PublicCloud = new("https://management.azure.com/");

    /// <summary>Labels the deploy gives revisions: the new one before it serves, the one it replaced (instant rollback).</summary>
    public const string CandidateLabel = "candidate", PreviousLabel = "previous";

    /// <summary>
    /// A revision's label URL: <c>https://{app}---{label}.{environment domain}</c>, from the app's ingress FQDN
    /// <c>{app}.{environment domain}</c>.
    /// </summary>
    public static Uri LabelUrl(string app, string appFqdn, string label)
    {
        var prefix = app + ".";
        if (!appFqdn.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            throw new ContainerAppsException(
                $"The ingress FQDN of {app} is '{appFqdn}', not '{app}.<environment domain>': the label URL of '{label}' cannot be derived.");
        return new Uri($"https://{app}---{label}.{appFqdn[prefix.Length..]}/");
    }
}
