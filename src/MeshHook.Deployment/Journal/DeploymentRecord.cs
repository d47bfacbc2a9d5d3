namespace MeshHook.Deployment.Journal;

/// <summary>A deployment as read back from the journal: its start, the stages it passed, and how it ended (if it did).</summary>
public sealed record DeploymentRecord(JournalEntry Start, IReadOnlyList<JournalEntry> Stages, JournalEntry? Finish)
{
    public string Id => Start.DeploymentId;
    public string Kind => Start.Kind ?? "deploy";
    public string? Release => Start.Release;
    public bool IsOpen => Finish is null;
    public string? Outcome => Finish?.Outcome;
    public string? LastStage => Stages.Count > 0 ? Stages[^1].Stage : null;
    public bool Succeeded => Outcome == Outcomes.Succeeded;
}
