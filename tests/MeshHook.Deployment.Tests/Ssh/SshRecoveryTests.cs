using System.Diagnostics;
using System.Text.Json;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Deployment.Tests.Releases;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// A real deployer process (MeshHook.Contender ssh-deploy) is SIGKILLed mid-deploy at a known stage (it prints PAUSED
/// there); the next run takes over its stale lock on the first host, closes its journal entry as aborted and brings every
/// host back to one consistent release, stopping the processes the killed run left.
/// </summary>
public sealed class SshRecoveryTests
{
    [Fact]
    public async Task Status_after_a_deployer_killed_with_the_new_release_started_beside_stops_it_everywhere()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(2, bootLimit: 1, token);
        var target = deployment.Target();
        var first = deployment.Release();
        var second = deployment.Release();
        await target.DeployAsync(first, SshDeployment.Options(), token);

        var killed = await KillDeployerAsync(deployment, second, Stage.HealthCheck, 1, token);

        var before = await target.ReadHostsAsync(token);
        Assert.All(before, x => Assert.Contains(x.Processes, p => p.Alive && p.Release == second.Id)); // the kill left it running beside
        Assert.True(await target.Lock.ReadHolderAsync(token) is not null, string.Join('\n', deployment.Output));

        var status = await deployment.Target().StatusAsync(token);

        Assert.Equal(first.Id, status.CurrentRelease);
        Assert.Null(status.LockHolder);
        Assert.DoesNotContain(status.Units, x => x.Release == second.Id);
        Assert.Equal(2, status.Units.Count(x => x.Release == first.Id && x.Name.StartsWith("web-", StringComparison.Ordinal)));
        Assert.Equal([first.Id, first.Id], await ServedAsync(deployment, 2, token));
        var record = (await target.Journal.ReadDeploymentsAsync(token)).Single(x => x.Release == second.Id);
        Assert.Equal(Outcomes.Aborted, record.Outcome);
        Assert.Contains(deployment.Output, x => x.Contains("Took over a stale lock", StringComparison.Ordinal) && x.Contains(killed, StringComparison.Ordinal));
        Assert.DoesNotContain(deployment.Output, x => x.Contains("FINISHED", StringComparison.Ordinal));
        Assert.Contains(deployment.Output, x => x.Contains($"Stopping web-{second.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deployer_killed_after_the_first_host_switched_leaves_every_host_back_on_one_release()
    {
        var token = TestContext.Current.CancellationToken;
        await using var deployment = await SshDeployment.CreateAsync(3, bootLimit: 1, token);
        var target = deployment.Target();
        var first = deployment.Release();
        var second = deployment.Release();
        await target.DeployAsync(first, SshDeployment.Options(), token);

        await KillDeployerAsync(deployment, second, Stage.Switch, 1, token);

        // Half-switched: the first host serves the new release, the others the old one.
        Assert.Equal([second.Id, first.Id, first.Id], await ServedAsync(deployment, 3, token));

        var status = await deployment.Target().StatusAsync(token);

        Assert.Equal(first.Id, status.CurrentRelease); // one release on every host: what the journal last deployed successfully
        Assert.Equal([first.Id, first.Id, first.Id], await ServedAsync(deployment, 3, token));
        var states = await target.ReadHostsAsync(token);
        Assert.All(states, x => Assert.Equal(first.Id, x.Current));
        Assert.All(states, x => Assert.Equal([first.Id, first.Id], x.Processes.Where(p => p.Alive && p.Release is not null).Select(p => p.Release)));
        Assert.Equal(Outcomes.Aborted, (await target.Journal.ReadDeploymentsAsync(token)).Single(x => x.Release == second.Id && x.Kind == "deploy").Outcome);
        Assert.Contains(deployment.Output, x => x.Contains($"bringing every host back to {first.Id}", StringComparison.Ordinal));

        // The environment is usable again: the same release deploys to the end.
        Assert.Equal(Outcomes.Succeeded, (await deployment.Target().DeployAsync(second, SshDeployment.Options(), token))!.Outcome);
        Assert.Equal([second.Id, second.Id, second.Id], await ServedAsync(deployment, 3, token));
    }

    /// <summary>Runs a real deployer process that pauses after the <paramref name="count"/>-th end of <paramref name="stage"/>, then SIGKILLs it; returns its deployment's holder description.</summary>
    static async Task<string> KillDeployerAsync(SshDeployment deployment, ReleaseManifest release, string stage, int count, CancellationToken token)
    {
        using var work = new TempDirectory();
        var key = work.Combine("client");
        File.WriteAllText(key, deployment.Hosts.ClientKey);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var spec = new
        {
            hosts = deployment.Settings.Options.Hosts.Select((x, i) => new
            {
                address = x.Address, port = x.Port, user = x.User, deployPath = x.DeployPath, fingerprint = deployment.Hosts.Servers[i].Fingerprint,
            }),
            keyFile = key, store = deployment.Store.Directory, edgeAssembly = deployment.Settings.EdgeAssembly, edgePort = deployment.Settings.Options.EdgePort,
            bootLimit = deployment.Settings.Options.BootLimit, releaseId = release.Id, pauseStage = stage, pauseCount = count, work = work.Path,
            releasePortsFirst = deployment.Settings.Options.ReleasePorts.First, releasePortsLast = deployment.Settings.Options.ReleasePorts.Last,
        };
        var specFile = work.Combine("spec.json");
        File.WriteAllText(specFile, JsonSerializer.Serialize(spec));
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Contenders.Assembly, "ssh-deploy", specFile })
            start.ArgumentList.Add(argument);
        using var child = Process.Start(start)!;
        var output = new List<string>();
        child.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
                lock (output)
                    output.Add(line.Data);
        };
        child.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
                lock (output)
                    output.Add("stderr: " + line.Data);
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            // The child's signal: the file it writes when it has paused (a bounded wait, and it must not have ended first).
            var paused = work.Combine("paused");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (!File.Exists(paused))
            {
                Assert.False(child.HasExited, $"The deployer ended before pausing after {stage}:\n{Joined(output)}");
                Assert.True(DateTime.UtcNow < deadline, $"The deployer did not pause after {stage} within 120 s:\n{Joined(output)}");
                await Task.Delay(20, token);
            }
        }
        finally
        {
            child.Kill(); // SIGKILL: no clean-up of its own, as when a machine or a CI runner dies
            await child.WaitForExitAsync(CancellationToken.None);
            lock (output)
                deployment.Output.AddRange(output.Select(x => "killed deployer: " + x));
        }
        return $"pid {child.Id}";
    }

    static string Joined(List<string> output)
    {
        lock (output)
            return string.Join('\n', output);
    }

    static async Task<string?[]> ServedAsync(SshDeployment deployment, int hosts, CancellationToken token) =>
        await Task.WhenAll(Enumerable.Range(0, hosts).Select(x => deployment.ServedAsync(x, token)));
}
