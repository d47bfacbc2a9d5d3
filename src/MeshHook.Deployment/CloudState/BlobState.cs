using System.Net.Http;
using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using MeshHook.Tooling;

namespace MeshHook.Deployment.CloudState;

/// <summary>
/// Where a cloud environment's deployment state lives: blobs under <c>&lt;environment&gt;/</c> in the deployment-state
/// container that <c>infra/modules/deployment_state</c> creates (signed in with Entra ID: the account has shared keys off),
/// and the one place that turns storage failures into messages saying what to fix.
/// </summary>
public static class BlobState
{
    /// <summary>The container infra/ creates by default (variable <c>deployment_state_container</c>).</summary>
    public const string DefaultContainer = "deployments";

    public const string DataRole = "Storage Blob Data Contributor";

    public static string LockBlobName(string environment) => $"{Folder(environment)}/deploy.lock";

    /// <summary>The journal's blobs: <c>journal.jsonl</c>, then <c>journal-0001.jsonl</c>... once one is full.</summary>
    public static string JournalBlobName(string environment, int segment) =>
        segment == 0 ? $"{Folder(environment)}/journal.jsonl" : $"{Folder(environment)}/journal-{segment:D4}.jsonl";

    /// <summary>The segment number of a journal blob name (null: not a journal blob of that environment).</summary>
    public static int? JournalSegment(string environment, string blobName)
    {
        if (blobName == JournalBlobName(environment, 0))
            return 0;
        var prefix = $"{Folder(environment)}/journal-";
        return blobName.StartsWith(prefix, StringComparison.Ordinal) && blobName.EndsWith(".jsonl", StringComparison.Ordinal)
               && int.TryParse(blobName.AsSpan(prefix.Length, blobName.Length - prefix.Length - ".jsonl".Length),
                   System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var segment) && segment > 0
            ? segment
            : null;
    }

    /// <summary>The deployment-state container of <paramref name="accountUrl"/> (https://&lt;account&gt;.blob.core.windows.net/), signed in with Entra ID.</summary>
    public static BlobContainerClient Container(Uri accountUrl, string containerName, TokenCredential credential, BlobClientOptions? options = null)
    {
        if (accountUrl.Scheme != Uri.UriSchemeHttps)
            throw new UserFacingException($"The deployment-state storage account URL must be https (Entra ID tokens are never sent over http): {Describe(accountUrl)}.");
        if (string.IsNullOrWhiteSpace(containerName))
            throw new UserFacingException($"No deployment-state container named for {Describe(accountUrl)} (infra/ creates '{DefaultContainer}').");
        return new BlobServiceClient(accountUrl, credential, options).GetBlobContainerClient(containerName);
    }

    /// <summary>A URL for messages: scheme, host and path only (a query could hold a SAS token).</summary>
    public static string Describe(Uri uri) => uri.GetLeftPart(UriPartial.Path);

    static string Folder(string environment)
    {
        if (string.IsNullOrWhiteSpace(environment) || environment.Contains('/') || environment.Contains('\\') || environment.StartsWith('.'))
            throw new UserFacingException($"'{environment}' is not an environment name to keep deployment state under (no slashes, not empty).");
        return environment;
    }

    /// <summary>Runs one storage call, turning its failures into <see cref="UserFacingException"/>s that say what to fix.</summary>
    internal static async Task<T> CallAsync<T>(BlobContainerClient container, Uri target, string doing, SecretMasker masker, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (Explain(exception, container, target, doing, masker) is { } explained)
        {
            throw explained;
        }
    }

    internal static Task CallAsync(BlobContainerClient container, Uri target, string doing, SecretMasker masker, Func<Task> call) =>
        CallAsync(container, target, doing, masker, async () =>
        {
            await call();
            return true;
        });

    /// <summary>
    /// The message for a failure the person deploying can fix (missing role, missing container, unreachable account,
    /// failed sign-in); null for everything else (handled by the caller, or a bug). Never includes a token: only URLs
    /// without query, status codes and the service's error code, masked.
    /// </summary>
    internal static UserFacingException? Explain(Exception exception, BlobContainerClient container, Uri target, string doing, SecretMasker masker)
    {
        var url = Describe(target);
        var account = container.AccountName;
        string? message = exception switch
        {
            RequestFailedException { Status: 403 } e =>
                $"Access to {url} was refused while {doing} ({e.ErrorCode ?? "403"}). The identity deploying needs the data role " +
                $"'{DataRole}' on the container '{container.Name}' of the storage account '{account}' (scope: " +
                $".../storageAccounts/{account}/blobServices/default/containers/{container.Name}; infra/access.tf grants it to the " +
                "deploy identity, and a new role assignment can take a few minutes to apply).",
            RequestFailedException { Status: 404, ErrorCode: "ContainerNotFound" } =>
                $"The container '{container.Name}' does not exist in the storage account {Describe(container.GetParentBlobServiceClient().Uri)} " +
                $"(while {doing}). ./build.sh TerraformApply creates it (infra/modules/deployment_state); check the account URL and container name.",
            AuthenticationFailedException or CredentialUnavailableException =>
                $"Could not sign in to Azure to reach {url} while {doing}: {FirstLine(exception.Message)}",
            _ when IsNetworkFailure(exception) =>
                $"Could not reach {url} while {doing}: {FirstLine(Innermost(exception).Message)}. Check the storage account URL and the network.",
            _ => null,
        };
        return message is null ? null : new UserFacingException(masker.Apply(message), exception);
    }

    static bool IsNetworkFailure(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 } => true,
        HttpRequestException or SocketException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsNetworkFailure),
        _ => exception.InnerException is { } inner && IsNetworkFailure(inner),
    };

    static Exception Innermost(Exception exception)
    {
        while (exception is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            exception = aggregate.InnerExceptions[^1];
        return exception.InnerException is { } inner && exception is RequestFailedException or HttpRequestException ? Innermost(inner) : exception;
    }

    static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
