using System.Diagnostics;
using System.Globalization;
using MeshHook.Deployment.Journal;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// The same release deploys to one host and to four (fresh hosts each time), and every host serves it. bench/ssh.sh runs
/// this with MESHHOOK_SSH_BENCH_RUNS=N and MESHHOOK_SSH_BENCH_OUT=FILE to get the durations (one "hosts seconds" line
/// per deploy) and compare the medians: uploads and starts go to the hosts in parallel, so four should not take 4x.
/// </summary>
public sealed class SshScalingTests
{
    [Fact]
    public async Task The_same_release_deploys_to_one_host_and_to_four()
    {
        var token = TestContext.Current.CancellationToken;
        var runs = int.TryParse(Environment.GetEnvironmentVariable("MESHHOOK_SSH_BENCH_RUNS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        var output = Environment.GetEnvironmentVariable("MESHHOOK_SSH_BENCH_OUT");
        var lines = new List<string>();
        for (var run = 0; run < runs; run++)
            foreach (var hosts in new[] { 1, 4 })
            {
                await using var deployment = await SshDeployment.CreateAsync(hosts, bootLimit: 1, token);
                var target = deployment.Target();
                var release = deployment.Release();
                var clock = Stopwatch.StartNew();
                var result = await target.DeployAsync(release, SshDeployment.Options(), token);
                clock.Stop();

                Assert.Equal(Outcomes.Succeeded, result!.Outcome);
                Assert.All(await Task.WhenAll(Enumerable.Range(0, hosts).Select(x => deployment.ServedAsync(x, token))), x => Assert.Equal(release.Id, x));
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{hosts} {clock.Elapsed.TotalSeconds:0.000}"));
                if (output is not null)
                {
                    // Where the time went, per stage (from the journal on the first host), for the benchmark's reader.
                    var stages = (await target.Journal.ReadDeploymentsAsync(token)).Last().Stages
                        .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Stage}={x.DurationMs / 1000.0:0.0}"));
                    await File.AppendAllTextAsync(output, lines[^1] + " # " + string.Join(" ", stages) + "\n", token);
                }
            }
        Assert.Equal(runs * 2, lines.Count);
    }
}
