using Azure.Storage.Blobs;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// Where an ssh environment's lock and journal live, so that every deployer sees them: on the first host (the default:
/// <c>deploy.lock</c> and <c>journal.jsonl</c> under its deploy path), or in the deployment-state blob container that
/// <c>target.state</c> names (a blob lease and append blobs, the same as the containerApps target's).
/// </summary>
public sealed record SshDeploymentState(IEnvironmentLock Lock, IDeploymentJournal Journal)
{
    public static SshDeploymentState OnFirstHost(SshConnections connections, SshTargetOptions options, SecretMasker masker, TimeProvider time)
    {
        var first = options.Hosts[0];
        return new SshDeploymentState(new SshEnvironmentLock(connections, first, options.PathOf(first), time),
            new SshJournal(connections, first, options.PathOf(first), masker));
    }

    /// <summary>Under <c>&lt;environment&gt;/</c> in <paramref name="container"/> (the one target.state names, signed in with Entra ID).</summary>
    public static SshDeploymentState InBlobs(BlobContainerClient container, string environment, SecretMasker masker, TimeProvider time) =>
        new(new BlobLeaseLock(container, environment, masker, time), new BlobJournal(container, environment, masker));
}
