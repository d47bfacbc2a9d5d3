using System.Text.Json;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Reporting;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Deployment.Tests.Environments;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>
/// The Report verb on a repository of its own: environment.json, the local state (journal, lock, current, unpacked
/// releases) and git, read through their own readers.
/// </summary>
public sealed class EnvironmentReportTests : IDisposable
{
    readonly TempDirectory _root = new();
    readonly ToolRunner _tools = new(new SecretMasker());
    readonly FakeTimeProvider _time = new(GeneratedJournal.Utc("2026-12-01T12:00:00"));

    public EnvironmentReportTests()
    {
        foreach (var environment in new[] { "local", "staging" })
            _root.Write($"infra/environments/{environment}/environment.json",
                File.ReadAllText(Path.Combine(Repository.Environments, environment, "environment.json")));
    }

    public void Dispose() => _root.Dispose();

    EnvironmentReport Report => new(_root.Path, new ReleaseStore(_root.Combine("artifacts", "releases")), _tools, _time);

    LocalLayout Layout => LocalLayout.For(_root.Path);

    async Task<string> CommitAsync(string date)
    {
        var identity = new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_NAME"] = "t", ["GIT_AUTHOR_EMAIL"] = "t@example.com", ["GIT_COMMITTER_NAME"] = "t", ["GIT_COMMITTER_EMAIL"] = "t@example.com",
            ["GIT_COMMITTER_DATE"] = date,
        };
        var token = TestContext.Current.CancellationToken;
        await _tools.RunAsync(new ToolCommand("git", "init", "-q", _root.Path) { LogOutput = false }, token);
        await _tools.RunAsync(new ToolCommand("git", "-C", _root.Path, "commit", "-q", "--allow-empty", "-m", "x") { Environment = identity, LogOutput = false }, token);
        return (await _tools.RunAsync(new ToolCommand("git", "-C", _root.Path, "rev-parse", "HEAD") { LogOutput = false }, token)).StandardOutput.Trim();
    }

    void Unpack(string id, string version, string commit)
    {
        var manifest = new ReleaseManifest
        {
            Id = id, Version = version, Commit = commit, CreatedAt = GeneratedJournal.Utc("2026-11-30T00:00:00"), Builder = "t", Dirty = false,
            Migrations = [], Artifacts = [new ReleaseArtifact("web", "web.tar.gz", new string('0', 64), 0)],
        };
        _root.Write(Path.Combine(Layout.ReleaseDirectory(id), ReleaseManifest.FileName), manifest.ToJson());
    }

    [Fact]
    public async Task The_local_journal_lock_current_release_and_git_make_the_report()
    {
        var commit = await CommitAsync("2026-12-01T08:00:00+01:00");   // 07:00 UTC
        var good = "20261201-070000-" + commit[..12];
        var bad = "20261201-090000-" + commit[..12];
        Unpack(good, "1.4.0", commit);
        var journal = new GeneratedJournal(Layout.Journal, TimeSpan.FromHours(-8));
        journal.Add("d1", "deploy", good, null, GeneratedJournal.Utc("2026-12-01T08:00:00"), GeneratedJournal.Stages(10), Outcomes.Succeeded);   // commit from the manifest
        journal.Add("d2", "deploy", bad, commit, GeneratedJournal.Utc("2026-12-01T09:00:00"),
            [("lock", 1, Outcomes.Succeeded, null), ("migrate", 30, Outcomes.Failed, "relation \"hooks\" already exists")], Outcomes.Failed, "migrate failed");
        journal.Add("d3", "deploy", bad, commit, GeneratedJournal.Utc("2026-12-01T11:00:00"), GeneratedJournal.Stages(1), outcome: null);
        CurrentLink.Point(Layout, good);
        var me = ProcessIdentity.Current;
        File.WriteAllText(Layout.Lock, JsonSerializer.Serialize(new LockHolder("d3", "deploy", bad, me.Pid, me.StartTicks, Environment.MachineName, "ana",
            GeneratedJournal.Utc("2026-12-01T11:00:00")), new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        var report = await Report.CreateAsync(EnvironmentName.Local, null, TestContext.Current.CancellationToken);

        Assert.Equal(["d3", "d2", "d1"], report.Timeline.Select(x => x.Id));
        Assert.Equal(["running", Outcomes.Failed, Outcomes.Succeeded], report.Timeline.Select(x => x.Outcome));
        Assert.Equal("1.4.0", report.Timeline[2].Version);
        Assert.Equal(TimeSpan.FromMinutes(70), report.Figures.LeadTimeForChanges.Median);   // committed 07:00 UTC, deployed 08:00-08:10
        Assert.Equal(good, report.Current.ServingRelease);
        Assert.Equal("1.4.0", report.Current.ServingVersion);
        Assert.StartsWith("deploy d3 of " + bad + " by ana@", report.Current.LockHolder);
        Assert.False(report.Current.LockIsStale);
        Assert.Equal("d2", report.Current.LastFailure?.Id);
        Assert.Equal("migrate failed", report.Current.LastFailure?.Error);

        var page = EnvironmentReport.WritePage(report, _root.Combine("artifacts", "reports"));
        Assert.Equal(_root.Combine("artifacts", "reports", "local.html"), page);
        Assert.Equal(["local.html"], Directory.GetFiles(Path.GetDirectoryName(page)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_local_environment_that_never_deployed_gives_an_empty_report()
    {
        var report = await Report.CreateAsync(EnvironmentName.Local, "7d", TestContext.Current.CancellationToken);

        Assert.Empty(report.Timeline);
        Assert.Null(report.Current.ServingRelease);
        Assert.Null(report.Current.LockHolder);
        Assert.Contains("No deployment of local is recorded yet", ReportPage.Render(report));
    }

    [Fact]
    public async Task A_cloud_environment_is_reported_from_its_targets_journal_without_reading_its_lock()
    {
        // staging keeps its journal in an append blob; the report reads whatever journal its target gives, here a file.
        var journal = new DeploymentJournal(_root.Combine("staging-journal.jsonl"), new SecretMasker());
        foreach (var (id, release, outcome, at) in new[]
                 {
                     ("d-1", "20261130-100000-0123456789ab", Outcomes.Succeeded, "2026-11-30T10:00:00"),
                     ("d-2", "20261201-100000-0123456789ab", Outcomes.RolledBack, "2026-12-01T10:00:00"),
                 })
        {
            await journal.AppendAsync(new JournalEntry { Type = JournalEntryTypes.Started, DeploymentId = id, At = GeneratedJournal.Utc(at), Kind = "deploy", Release = release },
                TestContext.Current.CancellationToken);
            await journal.AppendAsync(new JournalEntry { Type = JournalEntryTypes.Finished, DeploymentId = id, At = GeneratedJournal.Utc(at).AddMinutes(3), Outcome = outcome },
                TestContext.Current.CancellationToken);
        }
        var cloud = new EnvironmentReport(_root.Path, new ReleaseStore(_root.Combine("artifacts", "releases")), _tools, _time) { JournalOfTarget = () => journal };
        var report = await cloud.CreateAsync(EnvironmentName.Staging, null, TestContext.Current.CancellationToken);

        Assert.Equal(2, report.Timeline.Count);
        Assert.Equal("20261130-100000-0123456789ab", report.Current.ServingRelease);
        Assert.True(report.Current.LockNotRead);
        Assert.Contains("not read", ReportPage.Render(report));
        Assert.False(Directory.Exists(_root.Combine(".deploy")));
    }

    [Fact]
    public async Task A_bad_since_is_refused_before_anything_is_read()
    {
        var error = await Assert.ThrowsAsync<UserFacingException>(() => Report.CreateAsync(EnvironmentName.Local, "last week", TestContext.Current.CancellationToken));

        Assert.Contains("--since 'last week' is not a window", error.Message);
    }
}
