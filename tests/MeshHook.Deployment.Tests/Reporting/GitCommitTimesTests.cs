using MeshHook.Deployment.Reporting;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>Commit times come from a real git repository through the tool runner.</summary>
public sealed class GitCommitTimesTests : IDisposable
{
    readonly TempDirectory _temp = new();
    readonly ToolRunner _tools = new(new SecretMasker());

    public void Dispose() => _temp.Dispose();

    async Task<string> CommitAsync(string date)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_NAME"] = "t", ["GIT_AUTHOR_EMAIL"] = "t@example.com", ["GIT_COMMITTER_NAME"] = "t", ["GIT_COMMITTER_EMAIL"] = "t@example.com",
            ["GIT_AUTHOR_DATE"] = "2020-01-01T00:00:00+00:00", ["GIT_COMMITTER_DATE"] = date,
        };
        await _tools.RunAsync(new ToolCommand("git", "-C", _temp.Path, "commit", "-q", "--allow-empty", "-m", date) { Environment = environment, LogOutput = false },
            TestContext.Current.CancellationToken);
        return (await _tools.RunAsync(new ToolCommand("git", "-C", _temp.Path, "rev-parse", "HEAD") { LogOutput = false }, TestContext.Current.CancellationToken))
            .StandardOutput.Trim();
    }

    [Fact]
    public async Task The_committer_time_of_each_known_commit_is_read_with_its_offset_and_others_are_left_out()
    {
        await _tools.RunAsync(new ToolCommand("git", "init", "-q", _temp.Path) { LogOutput = false }, TestContext.Current.CancellationToken);
        var first = await CommitAsync("2026-11-26T23:40:00-05:00");
        var second = await CommitAsync("2026-11-30T05:02:00+09:00");
        var marker = _temp.Combine("injected");

        var times = await GitCommitTimes.ReadAsync(_tools, _temp.Path,
            [first, second[..12], "0123456789abcdef0123456789abcdef01234567", "--output=" + marker, null], TestContext.Current.CancellationToken);

        Assert.Equal(DateTimeOffset.Parse("2026-11-27T04:40:00Z"), times[first]);
        Assert.Equal(TimeSpan.FromHours(-5), times[first].Offset);
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T20:02:00Z"), times[second[..12]]);
        Assert.Equal(2, times.Count);
        Assert.False(File.Exists(marker));   // not a commit hash: never handed to git
    }
}
