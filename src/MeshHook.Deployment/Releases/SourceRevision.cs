using System.Text.RegularExpressions;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Releases;

/// <summary>The commit a release is built from, its version from git tags, and whether the working tree was dirty.</summary>
public sealed partial record SourceRevision(string Commit, string Version, bool Dirty)
{
    [GeneratedRegex(@"^v(?<version>.+)-(?<count>\d+)-g[0-9a-f]+$")]
    private static partial Regex Describe();

    public static async Task<SourceRevision> ReadAsync(ToolRunner tools, string repository, CancellationToken cancellationToken)
    {
        var commit = (await Git(tools, repository, cancellationToken, "rev-parse", "HEAD")).Trim();
        var status = await Git(tools, repository, cancellationToken, "status", "--porcelain", "--untracked-files=normal");
        var describe = await tools.RunAsync(GitCommand(repository, "describe", "--tags", "--long", "--match", "v[0-9]*")
            with { ThrowOnFailure = false }, cancellationToken);
        string version;
        if (describe.Succeeded)
        {
            version = VersionFromDescribe(describe.StandardOutput.Trim());
        }
        else
        {
            var count = (await Git(tools, repository, cancellationToken, "rev-list", "--count", "HEAD")).Trim();
            version = $"0.0.0-dev.{count}";
        }
        return new SourceRevision(commit, version, status.Trim().Length > 0);
    }

    /// <summary><c>v1.4.2-0-gabc</c> → 1.4.2 (on the tag); <c>v1.4.2-3-gabc</c> → 1.4.2+3 (three commits after it).</summary>
    public static string VersionFromDescribe(string describe)
    {
        var match = Describe().Match(describe);
        if (!match.Success)
            throw new ReleaseException($"Cannot read a version from 'git describe' output '{describe}'.");
        var count = int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return count == 0 ? match.Groups["version"].Value : $"{match.Groups["version"].Value}+{count}";
    }

    static async Task<string> Git(ToolRunner tools, string repository, CancellationToken cancellationToken, params string[] arguments) =>
        (await tools.RunAsync(GitCommand(repository, arguments), cancellationToken)).StandardOutput;

    static ToolCommand GitCommand(string repository, params string[] arguments) =>
        new ToolCommand("git", ["-C", repository, .. arguments])
        {
            LogOutput = false,
            Timeout = TimeSpan.FromSeconds(30),
            InstallHint = "Install git (apt-get install git).",
        };
}
