using System.Text;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Tooling;
using Renci.SshNet.Common;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// The environment's journal as a JSON-lines file on the first host (<c>&lt;deployPath&gt;/journal.jsonl</c>, 0600), in
/// the same line format as every journal (<see cref="JournalLines"/>, masked). Appends open the file in append mode over
/// SFTP, one whole line per write; only the lock holder writes.
/// </summary>
public sealed class SshJournal(SshConnections connections, SshHost host, string deployPath, SecretMasker masker) : IDeploymentJournal
{
    string JournalPath => deployPath + "/journal.jsonl";

    public string Location => $"{host.Name}:{JournalPath}";

    public async Task AppendAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        var connection = await connections.ToAsync(host, cancellationToken);
        var line = Encoding.UTF8.GetBytes(JournalLines.Serialize(entry, masker) + "\n");
        var created = !connection.Sftp.Exists(JournalPath);
        using (var stream = connection.Sftp.Open(JournalPath, FileMode.Append, FileAccess.Write))
        {
            await stream.WriteAsync(line, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        if (created)
            connection.Sftp.ChangePermissions(JournalPath, 600); // SSH.NET takes the octal digits: 0600
    }

    public async Task<IReadOnlyList<JournalEntry>> ReadEntriesAsync(ICollection<string>? warnings, CancellationToken cancellationToken)
    {
        var connection = await connections.ToAsync(host, cancellationToken);
        try
        {
            return JournalLines.Parse(connection.Sftp.ReadAllText(JournalPath).Split('\n'), Location, warnings);
        }
        catch (SftpPathNotFoundException)
        {
            return [];
        }
    }
}
