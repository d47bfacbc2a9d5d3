using Azure.Core;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// How the client talks to ARM. <see cref="ClientOptions.Retry"/> is Azure.Core's retry of 408/429/5xx and transport
/// failures: exponential backoff from <see cref="RetryOptions.Delay"/>, and a server's <c>Retry-After</c> is honoured.
/// </summary>
public sealed class ContainerAppsClientOptions : ClientOptions
{
    public ContainerAppsClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromSeconds(1);
        Retry.MaxDelay = TimeSpan.FromSeconds(30);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        // Request/response bodies stay out of logs; the default allow-lists already keep Authorization out.
        Diagnostics.IsLoggingContentEnabled = false;
        Diagnostics.IsDistributedTracingEnabled = false;
    }

    /// <summary>ARM's base address: the public cloud, or a loopback server in tests.</summary>
    public Uri Endpoint { get; set; } = ContainerAppsApi.PublicCloud;

    /// <summary>The environment (dev, staging, production): names the custom role "MeshHook deployer (&lt;environment&gt;)" in errors.</summary>
    public string? Environment { get; set; }

    /// <summary>Clock for polling and timeouts (a fake one in tests).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How long a long-running operation (PATCH of an app) may take before the deploy gives up on it.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Poll interval of a long-running operation when ARM sends no Retry-After.</summary>
    public TimeSpan OperationPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Poll interval while waiting for a revision to run.</summary>
    public TimeSpan RevisionPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal string DeployerRole => $"MeshHook deployer ({Environment ?? "<environment>"})";

    internal void Validate()
    {
        if (!Endpoint.IsAbsoluteUri || Endpoint.Scheme != Uri.UriSchemeHttps)
            throw new ContainerAppsException($"The ARM endpoint must be an absolute https:// address (bearer tokens are never sent over http); got '{Endpoint}'.");
        foreach (var (name, value) in new[] { ("OperationTimeout", OperationTimeout), ("OperationPollInterval", OperationPollInterval), ("RevisionPollInterval", RevisionPollInterval) })
            if (value <= TimeSpan.Zero)
                throw new ContainerAppsException($"{name} must be positive; got {value}.");
    }
}
