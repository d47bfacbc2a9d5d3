using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

public sealed class JournalTests : IDisposable
{
    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    static JournalEntry Started(string id) => new() { Type = JournalEntryTypes.Started, DeploymentId = id, At = DateTimeOffset.UnixEpoch, Kind = "deploy", Release = "r1" };

    [Fact]
    public void Entries_are_appended_as_json_lines_and_read_back_as_deployments()
    {
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), new SecretMasker());
        journal.Append(Started("d1"));
        journal.Append(new JournalEntry { Type = JournalEntryTypes.Stage, DeploymentId = "d1", At = DateTimeOffset.UnixEpoch, Stage = "migrate", DurationMs = 12, Outcome = "succeeded" });
        journal.Append(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = "d1", At = DateTimeOffset.UnixEpoch, Outcome = Outcomes.Succeeded });
        journal.Append(Started("d2"));

        var deployments = journal.ReadDeployments();

        Assert.Equal(4, File.ReadAllLines(journal.Path).Length);
        Assert.Equal(["d1", "d2"], deployments.Select(x => x.Id));
        Assert.True(deployments[0].Succeeded);
        Assert.Equal("migrate", deployments[0].LastStage);
        Assert.True(deployments[1].IsOpen);
    }

    [Fact]
    public void A_half_written_last_line_is_skipped_with_a_warning_and_the_next_entry_starts_on_a_new_line()
    {
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), new SecretMasker());
        journal.Append(Started("d1"));
        File.AppendAllText(journal.Path, "{\"type\":\"stage\",\"deploymentId\":\"d1\",\"at\":\"2026-11-");   // killed mid-write

        var warnings = new List<string>();
        Assert.Single(journal.ReadEntries(warnings));
        Assert.Contains("skipped an unreadable journal line", Assert.Single(warnings));

        journal.Append(Started("d2"));
        Assert.Equal(["d1", "d2"], journal.ReadDeployments().Select(x => x.Id));
    }

    [Fact]
    public void Secret_values_are_masked_before_they_reach_the_journal()
    {
        var masker = new SecretMasker();
        masker.Register("hunter2-canary");
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), masker);

        journal.Append(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = "d", At = DateTimeOffset.UnixEpoch, Error = "auth failed for hunter2-canary" });

        Assert.DoesNotContain("hunter2-canary", File.ReadAllText(journal.Path));
        Assert.Contains("auth failed for ***", File.ReadAllText(journal.Path));
    }

    // Every character System.Text.Json escapes by default (& + ' " < > \ non-ASCII), and spaces.
    const string SpecialCanary = "jou&rnal 'c\"a+n<a>r\\y ä";

    [Fact]
    public void Secret_with_characters_that_json_escapes_never_reaches_the_journal_in_any_form()
    {
        var masker = new SecretMasker();
        masker.Register(SpecialCanary);
        var journal = new DeploymentJournal(_temp.Combine("journal.jsonl"), masker);

        journal.Append(new JournalEntry
        {
            Type = JournalEntryTypes.Finished, DeploymentId = "d", At = DateTimeOffset.UnixEpoch, Actor = SpecialCanary,
            Error = $"auth failed for {SpecialCanary} (url: https://x.test/?token={Uri.EscapeDataString(SpecialCanary)})",
        });

        var text = File.ReadAllText(journal.Path);
        var escaped = System.Text.Json.JsonSerializer.Serialize(SpecialCanary)[1..^1];
        Assert.Contains("\\u0026", escaped); // the serialiser does escape it (the old masking missed this form)
        Assert.DoesNotContain(SpecialCanary, text);
        Assert.DoesNotContain(escaped, text);
        Assert.DoesNotContain(Uri.EscapeDataString(SpecialCanary), text);
        Assert.DoesNotContain("rnal", text);
        var entry = Assert.Single(journal.ReadEntries());
        Assert.Equal("auth failed for *** (url: https://x.test/?token=***)", entry.Error);
        Assert.Equal("***", entry.Actor);
    }

    [Fact]
    public void Journal_is_created_readable_by_its_owner_only()
    {
        var journal = new DeploymentJournal(_temp.Combine("state", "journal.jsonl"), new SecretMasker());

        journal.Append(Started("d1"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(journal.Path));
    }

    [Fact]
    public void An_existing_journal_readable_by_others_is_narrowed_to_its_owner_on_the_next_append()
    {
        var path = _temp.Combine("journal.jsonl");
        var journal = new DeploymentJournal(path, new SecretMasker());
        journal.Append(Started("d1"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        journal.Append(Started("d2"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["d1", "d2"], journal.ReadDeployments().Select(x => x.Id));
    }
}
