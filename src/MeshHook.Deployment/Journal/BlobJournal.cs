using System.Text;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using MeshHook.Deployment.CloudState;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Journal;

/// <summary>
/// The cloud environments' journal: append blobs <c>&lt;environment&gt;/journal.jsonl</c> in the deployment-state container,
/// one entry (a JSON line, masked before serialising: <see cref="JournalLines"/>) per append block. The service commits
/// each block whole and in one order, so entries appended at once by several deployers (processes or machines) all land,
/// none interleaved, without any condition or lock. An append blob takes at most 50,000 blocks: once one is full the
/// journal goes on in <c>journal-0001.jsonl</c>, <c>journal-0002.jsonl</c>... and is read back across them in order.
/// </summary>
public sealed class BlobJournal : IDeploymentJournal
{
    /// <summary>Azure's limit of blocks in one append blob.</summary>
    public const int MaxBlocksPerBlob = 50_000;

    readonly BlobContainerClient _container;
    readonly string _environment;
    readonly SecretMasker _masker;
    readonly int _blocksPerBlob;
    readonly SemaphoreSlim _appending = new(1, 1);
    int? _segment;
    int? _checkedSegment;

    /// <param name="blocksPerBlob">Entries per blob before going on in the next (Azure's limit; smaller only in tests).</param>
    public BlobJournal(BlobContainerClient container, string environment, SecretMasker masker, int blocksPerBlob = MaxBlocksPerBlob)
    {
        if (blocksPerBlob is < 1 or > MaxBlocksPerBlob)
            throw new ArgumentOutOfRangeException(nameof(blocksPerBlob), blocksPerBlob, $"An append blob takes 1 to {MaxBlocksPerBlob} blocks.");
        _container = container;
        _environment = environment;
        _masker = masker;
        _blocksPerBlob = blocksPerBlob;
        _ = BlobState.JournalBlobName(environment, 0); // an environment name that cannot name a blob folder fails here, not at the first write
    }

    /// <summary>The journal of <paramref name="environment"/> in the container <paramref name="containerName"/> of the account at <paramref name="accountUrl"/>, signed in with Entra ID.</summary>
    public BlobJournal(Uri accountUrl, string containerName, string environment, TokenCredential credential, SecretMasker masker)
        : this(BlobState.Container(accountUrl, containerName, credential), environment, masker)
    {
    }

    public string Location => BlobState.Describe(Blob(0).Uri);

    public async Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        var line = JournalLines.Serialize(entry, _masker) + "\n";
        // One append at a time from this instance keeps its own entries in the order they were written.
        await _appending.WaitAsync(cancellationToken);
        try
        {
            var segment = _segment ??= await LastSegmentAsync(cancellationToken);
            for (var attempt = 0; ; attempt++)
            {
                var blob = Blob(segment);
                // A block always ends its line; only a blob written by something else could end mid-line: start on a fresh one.
                var prefix = _checkedSegment == segment ? "" : await LineBreakNeededAsync(blob, cancellationToken);
                _checkedSegment = segment;
                try
                {
                    using var content = new MemoryStream(Encoding.UTF8.GetBytes(prefix + line));
                    var appended = await Call(blob, "appending to the deployment journal",
                        () => blob.AppendBlockAsync(content, cancellationToken: cancellationToken));
                    if (appended.Value.BlobCommittedBlockCount >= _blocksPerBlob)
                        _segment = segment + 1;
                    return;
                }
                catch (RequestFailedException exception) when (exception.Status == 404 && exception.ErrorCode == "BlobNotFound" && attempt < 3)
                {
                    await Call(blob, "creating the deployment journal", () => blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
                }
                catch (RequestFailedException exception) when (exception.ErrorCode == "BlockCountExceedsLimit" && attempt < 3)
                {
                    // Filled by another deployer since we looked: go on in the next blob.
                    _segment = ++segment;
                }
            }
        }
        finally
        {
            _appending.Release();
        }
    }

    public async Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken)
    {
        var entries = new List<JournalEntry>();
        foreach (var segment in await SegmentsAsync(cancellationToken))
        {
            var blob = Blob(segment);
            string text;
            try
            {
                text = (await Call(blob, "reading the deployment journal", () => blob.DownloadContentAsync(cancellationToken))).Value.Content.ToString();
            }
            catch (RequestFailedException exception) when (exception.Status == 404 && exception.ErrorCode == "BlobNotFound")
            {
                continue;
            }
            entries.AddRange(JournalLines.Parse(text.Split('\n'), BlobState.Describe(blob.Uri), warnings));
        }
        return entries;
    }

    AppendBlobClient Blob(int segment) => _container.GetAppendBlobClient(BlobState.JournalBlobName(_environment, segment));

    /// <summary>The journal's blobs that exist, in order.</summary>
    async Task<IReadOnlyList<int>> SegmentsAsync(CancellationToken cancellationToken)
    {
        var prefix = BlobState.JournalBlobName(_environment, 0)[..^"journal.jsonl".Length] + "journal";
        var segments = new List<int>();
        await BlobState.CallAsync(_container, _container.Uri, "listing the deployment journal", _masker, async () =>
        {
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
                if (BlobState.JournalSegment(_environment, item.Name) is { } segment)
                    segments.Add(segment);
        });
        segments.Sort();
        return segments;
    }

    async Task<int> LastSegmentAsync(CancellationToken cancellationToken) =>
        await SegmentsAsync(cancellationToken) is [.., var last] ? last : 0;

    async Task<string> LineBreakNeededAsync(AppendBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var length = (await Call(blob, "reading the deployment journal", () => blob.GetPropertiesAsync(cancellationToken: cancellationToken))).Value.ContentLength;
            if (length == 0)
                return "";
            var last = await Call(blob, "reading the deployment journal", () => blob.DownloadContentAsync(
                new BlobDownloadOptions { Range = new HttpRange(length - 1, 1) }, cancellationToken));
            return last.Value.Content.ToMemory().Span is [(byte)'\n'] ? "" : "\n";
        }
        catch (RequestFailedException exception) when (exception.Status == 404 && exception.ErrorCode == "BlobNotFound")
        {
            return "";
        }
    }

    Task<T> Call<T>(BlobBaseClient blob, string doing, Func<Task<T>> call) => BlobState.CallAsync(_container, blob.Uri, doing, _masker, call);
}
