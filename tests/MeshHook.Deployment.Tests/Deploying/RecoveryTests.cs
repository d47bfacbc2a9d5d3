using System.Text.Json;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Deployment.Tests.Infrastructure;
using MeshHook.Reliability.Faults;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>What a deploy killed half-way leaves behind, and how the next run repairs it.</summary>
// Real environments start databases and processes: one at a time keeps a 2-core machine from timing them out.
[Collection(LocalEnvironments.Name)]
public sealed class RecoveryTests
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_after_a_killed_run_takes_over_the_lock_closes_the_entry_as_aborted_and_stops_orphans()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var good = local.Release();
        var interrupted = local.Release();
        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);
        var layout = local.Environment.Layout;

        // What a run killed during 'health check' of another release leaves: its lock, its open journal entry, its processes.
        File.WriteAllText(layout.Lock, JsonSerializer.Serialize(new LockHolder("d-killed", "deploy", interrupted.Id, 999_999, 1,
            Environment.MachineName, "ci", DateTimeOffset.UtcNow), new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        local.Environment.Journal.Append(new JournalEntry { Type = JournalEntryTypes.Started, DeploymentId = "d-killed", At = DateTimeOffset.UtcNow, Kind = "deploy", Release = interrupted.Id });
        local.Environment.Journal.Append(new JournalEntry { Type = JournalEntryTypes.Stage, DeploymentId = "d-killed", At = DateTimeOffset.UtcNow, Stage = Stage.Start, Outcome = Outcomes.Succeeded });
        var orphan = await local.Environment.Processes.StartAsync(new ProcessSpec($"worker-{interrupted.Id}-1", "sleep", ["300"]) { Release = interrupted.Id }, Token);

        await local.Environment.RecoverIfInterruptedAsync("status", Token);

        Assert.False(File.Exists(layout.Lock));
        var killed = local.Environment.Journal.ReadDeployments().Single(x => x.Id == "d-killed");
        Assert.Equal((Outcomes.Aborted, Stage.Start), (killed.Outcome, killed.Finish!.Stage));
        Assert.False(orphan.IsAlive());
        Assert.Contains(local.Output, x => x.Contains("Took over a stale lock"));
        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
    }

    [Fact]
    public async Task When_nothing_healthy_is_served_the_last_known_good_release_is_brought_back()
    {
        await using var local = await LocalDeployment.CreateAsync(Token);
        var good = local.Release();
        await local.Environment.DeployAsync(good, LocalDeployment.Options(), Token);
        // A crash took the release's processes down (kill -9), and a killed deploy left its entry open.
        foreach (var record in local.Environment.Processes.All().Where(x => x.Release is not null))
        {
            using var process = System.Diagnostics.Process.GetProcessById(record.Pid);
            process.Kill(entireProcessTree: true); // the launcher's keeper and its program
            // Wait for the kill to take effect (a hang bound, not a pause): only then is nothing healthy served.
            await process.WaitForExitAsync(Token).WaitAsync(TimeSpan.FromSeconds(60), Token);
        }
        local.Environment.Journal.Append(new JournalEntry { Type = JournalEntryTypes.Started, DeploymentId = "d-killed", At = DateTimeOffset.UtcNow, Kind = "deploy", Release = good.Id });
        Assert.NotEqual(200, (await local.StableHealthAsync(Token)).Status);

        await local.Environment.RecoverIfInterruptedAsync("status", Token);

        Assert.Equal((200, good.Id), await local.StableHealthAsync(Token));
        Assert.Contains(local.Output, x => x.Contains($"Recovered: {good.Id} is serving"));
    }

    [Fact]
    public async Task The_reliability_harness_holds_every_invariant_over_30_runs_with_random_faults()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var harness = Path.Combine(RepositoryFiles.Root, "tests", "MeshHook.Reliability", "bin", configuration, "net10.0", "MeshHook.Reliability.dll");
        Assert.True(File.Exists(harness), $"{harness} is missing: build the solution first (./build.sh Compile).");
        var seed = Environment.TickCount & 0xffff;

        var result = await new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand("dotnet", harness, "harness", "--runs", "30", "--seed", seed.ToString())
        {
            Timeout = TimeSpan.FromMinutes(10), ThrowOnFailure = false, LogOutput = false,
        }, Token);

        var output = string.Join('\n', result.Output.Select(x => x.Text));
        Assert.True(result.ExitCode == 0, output);
        Assert.Contains("runs: 30, invariants held: 30, failed requests: 0, stuck locks: 0", output);
    }

    [Theory]
    [InlineData("switch:kill", "switch", FaultKind.Kill)]
    [InlineData("clean up:hang", "clean up", FaultKind.Hang)]
    [InlineData("unhealthy", "health check", FaultKind.Unhealthy)]
    [InlineData("migration", "migrate", FaultKind.Migration)]
    public void Faults_are_read_only_when_injection_is_enabled(string text, string stage, FaultKind kind)
    {
        Assert.Null(FaultInjector.FromEnvironment(new Dictionary<string, string> { [FaultInjector.Variable] = text }));

        var fault = FaultInjector.FromEnvironment(new Dictionary<string, string> { [FaultInjector.Variable] = text, [FaultInjector.Switch] = "enabled" })!;

        Assert.Equal(kind, fault.Kind);
        Assert.True(fault.Applies(stage));
    }

    [Fact]
    public void A_malformed_fault_is_a_clear_error()
    {
        var error = Assert.Throws<UserFacingException>(() => FaultInjector.FromEnvironment(
            new Dictionary<string, string> { [FaultInjector.Variable] = "switch:explode", [FaultInjector.Switch] = "enabled" }));

        Assert.Contains("MESHHOOK_FAULT=switch:explode", error.Message);
    }
}
