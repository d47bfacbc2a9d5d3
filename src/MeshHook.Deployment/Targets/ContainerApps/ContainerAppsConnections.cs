using Azure.Core;
using Azure.Storage.Blobs;
using MeshHook.Deployment.Secrets;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>
/// TEST-ONLY redirection of the Container Apps target's Azure endpoints to loopback servers (the ARM fake, Azurite, the
/// Key Vault stub) and their clocks. Internal: set in process by tests, or made by <see cref="AzureLoopback"/> from the
/// test-only variable MESHHOOK_TEST_AZURE_LOOPBACK (loopback addresses only) for tests of the build as a process. No
/// environment.json key or parameter reaches it, so a real deploy always talks to Azure with the environment's own names.
/// </summary>
internal sealed record ContainerAppsConnections
{
    /// <summary>The ARM client (endpoint, trusted certificate, retry timings, clock).</summary>
    public required Func<ContainerAppsClient> Arm { get; init; }

    /// <summary>The deployment-state container (journal and lock).</summary>
    public required Func<BlobContainerClient> State { get; init; }

    /// <summary>The environment's secrets (DATABASE_URL for migrations).</summary>
    public required Func<ISecretProvider> Secrets { get; init; }

    /// <summary>What label and environment URLs are fetched with.</summary>
    public required HttpClient Health { get; init; }

    /// <summary>The clock of health polls (the ARM client's is in its options).</summary>
    public TimeProvider? HealthTime { get; init; }

    /// <summary>The subscription to use instead of environment.json's or AZURE_SUBSCRIPTION_ID.</summary>
    public string? SubscriptionId { get; init; }
}
