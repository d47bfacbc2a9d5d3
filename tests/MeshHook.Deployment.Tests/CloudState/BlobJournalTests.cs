using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using MeshHook.Deployment.Journal;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.CloudState;

/// <summary>The cloud journal (append blobs) against Azurite, signed in with Entra ID tokens over https.</summary>
public sealed class BlobJournalTests(Azurite azurite) : IClassFixture<Azurite>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    static JournalEntry Started(string id, int n = 0) =>
        new() { Type = JournalEntryTypes.Started, DeploymentId = id, At = Start.AddSeconds(n), Kind = "deploy", Environment = "production", Release = "r" + n };

    static async Task<string> TextAsync(BlobContainerClient container, string name) =>
        (await container.GetBlobClient(name).DownloadContentAsync(Cancel)).Value.Content.ToString();

    [Fact]
    public async Task Entries_are_appended_to_an_append_blob_created_when_missing_and_read_back_in_order_with_secrets_masked()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        var masker = new SecretMasker();
        masker.Register("hunter2-db-password");
        var journal = new BlobJournal(container, "production", masker);

        await journal.AppendAsync(Started("d1"), Cancel);
        await journal.AppendAsync(new JournalEntry
        {
            Type = JournalEntryTypes.Finished, DeploymentId = "d1", At = Start.AddMinutes(1), Outcome = Outcomes.Failed,
            Error = "migration failed: password \"hunter2-db-password\" rejected",
        }, Cancel);

        var blob = container.GetAppendBlobClient("production/journal.jsonl");
        Assert.Equal(Azure.Storage.Blobs.Models.BlobType.Append, (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.BlobType);
        Assert.Equal(2, (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.BlobCommittedBlockCount);
        var text = await TextAsync(container, "production/journal.jsonl");
        Assert.DoesNotContain("hunter2", text);
        Assert.Contains("***", text);
        Assert.Equal(blob.Uri.ToString(), journal.Location);

        var warnings = new List<string>();
        var deployments = await journal.ReadDeploymentsAsync(Cancel, warnings);
        Assert.Empty(warnings);
        var deployment = Assert.Single(deployments);
        Assert.Equal("d1", deployment.Id);
        Assert.Equal(Outcomes.Failed, deployment.Outcome);
        Assert.Equal("migration failed: password \"***\" rejected", deployment.Finish!.Error);
    }

    [Fact]
    public async Task Concurrent_appends_from_several_deployers_all_land_whole()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        const int writers = 6, each = 20;

        // Separate journal instances (each its own client and connections), as separate deployers would be.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var journal = new BlobJournal(azurite.Container(container.Name), "production", new SecretMasker());
            for (var i = 0; i < each; i++)
                await journal.AppendAsync(Started($"w{w}-{i}", i) with { Actor = new string('x', 2000) }, Cancel);
        }, Cancel)));

        var warnings = new List<string>();
        var entries = await new BlobJournal(container, "production", new SecretMasker()).ReadEntriesAsync(warnings, Cancel);
        Assert.Empty(warnings);
        Assert.Equal(writers * each, entries.Count);
        Assert.Equal(writers * each, entries.Select(x => x.DeploymentId).Distinct().Count());
        Assert.All(entries, x => Assert.Equal(2000, x.Actor!.Length));
        // Each writer's own entries stay in the order it wrote them.
        for (var w = 0; w < writers; w++)
            Assert.Equal(Enumerable.Range(0, each).Select(i => $"w{w}-{i}"), entries.Where(x => x.DeploymentId.StartsWith($"w{w}-", StringComparison.Ordinal)).Select(x => x.DeploymentId));
    }

    [Fact]
    public async Task A_truncated_last_line_is_skipped_with_a_warning_and_the_next_entry_starts_on_a_line_of_its_own()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        var blob = container.GetAppendBlobClient("production/journal.jsonl");
        await blob.CreateAsync(cancellationToken: Cancel);
        var whole = JournalLines.Serialize(Started("d1"), new SecretMasker());
        using (var content = new MemoryStream(Encoding.UTF8.GetBytes(whole + "\n" + whole[..25])))
            await blob.AppendBlockAsync(content, cancellationToken: Cancel);

        var journal = new BlobJournal(container, "production", new SecretMasker());
        var warnings = new List<string>();
        Assert.Equal(["d1"], (await journal.ReadEntriesAsync(warnings, Cancel)).Select(x => x.DeploymentId));
        Assert.Contains("production/journal.jsonl:2: skipped an unreadable journal line", Assert.Single(warnings));

        await journal.AppendAsync(Started("d2"), Cancel);

        warnings.Clear();
        Assert.Equal(["d1", "d2"], (await journal.ReadEntriesAsync(warnings, Cancel)).Select(x => x.DeploymentId));
        Assert.Single(warnings);
    }

    [Fact]
    public async Task A_full_append_blob_goes_on_in_the_next_and_the_journal_reads_across_them_in_order()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        var journal = new BlobJournal(container, "production", new SecretMasker(), blocksPerBlob: 3);

        for (var i = 0; i < 7; i++)
            await journal.AppendAsync(Started($"d{i}", i), Cancel);
        // A deployer starting later continues in the last blob.
        await new BlobJournal(container, "production", new SecretMasker(), blocksPerBlob: 3).AppendAsync(Started("d7", 7), Cancel);

        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(cancellationToken: Cancel))
            names.Add(item.Name);
        Assert.Equal(["production/journal-0001.jsonl", "production/journal-0002.jsonl", "production/journal.jsonl"], names);
        Assert.Equal(2, (await container.GetAppendBlobClient("production/journal-0002.jsonl").GetPropertiesAsync(cancellationToken: Cancel)).Value.BlobCommittedBlockCount);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"d{i}"),
            (await new BlobJournal(container, "production", new SecretMasker()).ReadEntriesAsync(null, Cancel)).Select(x => x.DeploymentId));
    }

    [Fact]
    public async Task An_environment_without_a_journal_reads_as_empty_and_other_environments_are_not_read()
    {
        var container = await azurite.NewContainerAsync(Cancel);
        await new BlobJournal(container, "staging", new SecretMasker()).AppendAsync(Started("s1"), Cancel);

        Assert.Empty(await new BlobJournal(container, "production", new SecretMasker()).ReadEntriesAsync(null, Cancel));
    }

    [Fact]
    public async Task A_missing_container_is_named_with_what_creates_it()
    {
        var journal = new BlobJournal(azurite.Container("no-such-container"), "production", new SecretMasker());

        var error = await Assert.ThrowsAsync<UserFacingException>(() => journal.AppendAsync(Started("d1"), Cancel));

        Assert.Contains("container 'no-such-container' does not exist", error.Message);
        Assert.Contains("TerraformApply", error.Message);
    }
}
