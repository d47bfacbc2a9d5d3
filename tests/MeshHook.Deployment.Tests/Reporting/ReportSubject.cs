using MeshHook.Deployment.Reporting;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>A journal in a temp folder and the report made from it, the way <see cref="EnvironmentReport"/> makes it.</summary>
internal sealed class ReportSubject : IDisposable
{
    readonly TempDirectory _temp = new();

    public ReportSubject(params TimeSpan[] offsets) => Journal = new GeneratedJournal(_temp.Combine("journal.jsonl"), offsets);

    public GeneratedJournal Journal { get; }

    public SecretMasker Masker { get; } = new();

    public string Folder => _temp.Path;

    public DeploymentReport Report(string since = KnownJournal.Since, DateTimeOffset? now = null, IReadOnlyDictionary<string, DateTimeOffset>? commitTimes = null,
        string? lockedBy = null, CurrentState? current = null)
    {
        var warnings = new List<string>();
        var records = Journal.Journal.ReadDeployments(warnings);
        var timeline = TimelineReader.Read(records, _ => null, Masker, lockedBy);
        return DeploymentReport.Create("local", timeline, ReportWindow.Parse(since, now ?? KnownJournal.Now),
            commitTimes ?? KnownJournal.CommitTimes, current ?? new CurrentState(), warnings);
    }

    public void Dispose() => _temp.Dispose();
}
