using System.Globalization;
using System.Text.RegularExpressions;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Reporting;

/// <summary>Commit times read from git (committer date), for the lead time for changes.</summary>
public static partial class GitCommitTimes
{
    [GeneratedRegex("^[0-9a-fA-F]{7,40}$")]
    private static partial Regex CommitHash();

    /// <summary>
    /// The commit time of each commit this repository knows. Anything that is not a commit hash is never passed to git;
    /// unknown commits (a shallow clone, another repository) and a missing git are left out, so their lead time is unknown.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadAsync(ToolRunner tools, string repository,
        IEnumerable<string?> commits, CancellationToken cancellationToken)
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        foreach (var commit in commits.OfType<string>().Where(x => CommitHash().IsMatch(x)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            ToolResult result;
            try
            {
                result = await tools.RunAsync(Show(repository, commit), cancellationToken);
            }
            catch (ToolNotFoundException)
            {
                break;
            }
            if (result.Succeeded && DateTimeOffset.TryParse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                times[commit] = at;
        }
        return times;
    }

    /// <summary><c>git show -s --format=%cI &lt;commit&gt;^{commit}</c>: the strict ISO 8601 committer date, with its offset.</summary>
    public static ToolCommand Show(string repository, string commit) =>
        new ToolCommand("git", "-C", repository, "show", "-s", "--format=%cI", commit + "^{commit}")
        {
            LogOutput = false,
            ThrowOnFailure = false,
            Timeout = TimeSpan.FromSeconds(30),
            InstallHint = "Install git (apt-get install git).",
        };
}
