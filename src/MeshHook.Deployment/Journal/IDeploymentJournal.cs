namespace MeshHook.Deployment.Journal;

/// <summary>
/// An environment's append-only deployment journal, wherever it lives: a JSON-lines file for <c>local</c>
/// (<see cref="DeploymentJournal"/>), an append blob for the cloud, a file on the first host for SSH. Entries are masked
/// before they are serialised (<see cref="JournalLines"/>); a reader skips a truncated last line with a warning.
/// </summary>
public interface IDeploymentJournal
{
    /// <summary>Where the journal is, for messages: a path or a blob URL (never a credential).</summary>
    string Location { get; }

    /// <summary>Appends one entry durably (flushed or committed before this returns).</summary>
    Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken);

    /// <summary>Every readable entry, in order; unreadable lines are reported through <paramref name="warnings"/>.</summary>
    Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken);
}

public static class DeploymentJournalExtensions
{
    /// <summary>Deployments in the order they started, each with its stages and outcome.</summary>
    public static async Task<IReadOnlyList<DeploymentRecord>> ReadDeploymentsAsync(this IDeploymentJournal journal,
        CancellationToken cancellationToken, ICollection<string>? warnings = null) =>
        JournalLines.Group(await journal.ReadEntriesAsync(warnings, cancellationToken));
}
