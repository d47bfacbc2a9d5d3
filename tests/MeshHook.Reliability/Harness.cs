using System.Diagnostics;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Stages;
using MeshHook.Reliability.Faults;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Tooling;

namespace MeshHook.Reliability;

/// <summary>
/// Runs N deploys and rollbacks of a real local environment, each in a child process with a seeded random fault at a
/// random stage (fail, hang then kill -9, kill -9 half-way, unhealthy release, failing migration), while a client sends
/// requests to the stable URL. After every run (and the recovery a killed run calls for) it checks the invariants: the
/// stable URL answers 200 with the new or the previous release, the journal parses with one closed entry per run, no
/// lock is left, no process of a release other than the current one runs, and retention kept current/previous/known-good.
/// </summary>
static class Harness
{
    static readonly string[] DeployStages = [Stage.Database, Stage.StageRelease, Stage.Migrate, Stage.Start, Stage.HealthCheck, Stage.Switch, Stage.Verify, Stage.CleanUp];
    static readonly string[] RollbackStages = [Stage.Database, Stage.Start, Stage.HealthCheck, Stage.Switch, Stage.Verify, Stage.CleanUp];

    public static async Task<int> RunAsync(HarnessOptions options)
    {
        Console.WriteLine($"seed: {options.Seed} (replay: bench/reliability.sh {options.Runs} {options.Seed})");
        // The harness owns every process of the run (its deploy children, pglite, the edge, releases): they die with it,
        // however it ends. The children do not claim: a child killed on purpose must leave its releases to the next one.
        MeshHook.Testing.TestRunOwner.Claim();
        var random = new Random(options.Seed);
        await using var local = await LocalDeployment.CreateAsync(CancellationToken.None);
        var pool = Enumerable.Range(0, 4).Select(_ => local.Release().Id).ToList();
        var self = typeof(Harness).Assembly.Location;
        var hangsKilled = 0;

        async Task<ToolResult> Child(IReadOnlyList<string> arguments, string? fault, TimeSpan timeout)
        {
            var environment = new Dictionary<string, string?>
            {
                [FaultInjector.Switch] = fault is null ? null : "enabled",
                [FaultInjector.Variable] = fault,
            };
            // A hung deploy is killed when it says it hangs (FaultInjector.HangAnnouncement), not after a guessed number of
            // seconds: on a busy machine a correct deploy may take longer than any such guess to reach the stage.
            using var hang = new HangSignal();
            try
            {
                return await new ToolRunner(new SecretMasker(), hang).RunAsync(new ToolCommand("dotnet", [self, "child", local.Root, .. arguments])
                {
                    Environment = environment, Timeout = timeout, ThrowOnFailure = false, LogOutput = true,
                }, hang.Token);
            }
            catch (OperationCanceledException) when (hang.Token.IsCancellationRequested)
            {
                // The injected hang began: the whole process tree was killed (SIGKILL), as a person or CI would.
                hangsKilled++;
                return new ToolResult(new ToolCommand("dotnet"), 137, [], timeout);
            }
            catch (ToolTimeoutException timedOut)
            {
                // Not an injected hang: the timeout is generous and only bounds a real one, which is a finding.
                return new ToolResult(new ToolCommand("dotnet"), TimedOut, [new OutputLine(OutputKind.StandardError, timedOut.Message)], timeout);
            }
        }

        var baseline = await Child(["deploy", pool[0]], null, TimeSpan.FromMinutes(2));
        if (baseline.ExitCode != 0)
        {
            Console.Error.WriteLine("The baseline deploy failed:\n" + string.Join('\n', baseline.Output.Select(x => x.Text)));
            return 1;
        }

        using var stop = new CancellationTokenSource();
        var client = new RequestLoop(local);
        var clientTask = client.RunAsync(stop.Token);

        var held = 0;
        var stuckLocks = 0;
        for (var run = 1; run <= options.Runs; run++)
        {
            var before = local.Environment.Layout.CurrentRelease()!;
            var succeeded = local.Environment.Journal.ReadDeployments().Where(x => x.Succeeded).Select(x => x.Release!).ToList();
            var previousGood = succeeded.LastOrDefault(x => x != before);
            var rollback = previousGood is not null && random.NextDouble() < 0.25;
            var target = rollback ? previousGood! : pool.Where(x => x != before).ElementAt(random.Next(pool.Count - 1));
            var fault = PickFault(random, rollback);

            var result = await Child(rollback ? ["rollback"] : ["deploy", target], fault, ChildHangBound);
            var killed = result.ExitCode == 137;
            var problems = new List<string>();
            if (result.ExitCode == TimedOut)
                problems.Add($"the child hung (no answer within {ChildHangBound.TotalMinutes} min, and no injected hang announced): {string.Join(" | ", result.LastLines(5))}");
            else if (result.ExitCode is not (0 or 1 or 137))
                problems.Add($"the child ended with exit code {result.ExitCode}: {string.Join(" | ", result.LastLines(5))}");
            if (fault is null && result.ExitCode != 0)
                problems.Add($"a run without fault failed: {string.Join(" | ", result.LastLines(8))}");
            // The faults are a participant the child registers, not code in the deploy flow: one that silently stopped
            // firing would leave every invariant holding, so each run checks that its fault took effect.
            else if (fault is not null && result.ExitCode is 0 or 1 or 137 && result.ExitCode != ExpectedExit(fault))
                problems.Add($"the injected fault {fault} did not take effect (exit {result.ExitCode}, expected {ExpectedExit(fault)}): {string.Join(" | ", result.LastLines(5))}");

            // Even before any recovery, the stable URL serves the old or the new release.
            await CheckUrlAsync(local, [before, target], problems, "right after the run");
            if (killed)
            {
                var status = await Child(["status"], null, TimeSpan.FromMinutes(2));
                if (status.ExitCode != 0)
                    problems.Add($"recovery (status) failed: {string.Join(" | ", status.LastLines(8))}");
            }
            stuckLocks += File.Exists(local.Environment.Layout.Lock) ? 1 : 0;
            await CheckInvariantsAsync(local, [before, target], run + 1, problems);

            if (problems.Count == 0)
                held++;
            else
                Console.Error.WriteLine($"run {run} ({(rollback ? "rollback" : "deploy")} of {target}, fault {fault ?? "none"}, exit {result.ExitCode}): " +
                                        string.Join("; ", problems));
            if (run % 50 == 0)
                Console.WriteLine($"  {run} runs, {held} held, {client.Failed} failed requests of {client.Total}");
        }

        stop.Cancel();
        await clientTask;
        Console.WriteLine($"runs: {options.Runs}, invariants held: {held}, failed requests: {client.Failed}, stuck locks: {stuckLocks}");
        Console.WriteLine($"requests sent to the stable URL: {client.Total}; seed {options.Seed}; {DateTimeOffset.UtcNow:yyyy-MM-dd}");
        Console.WriteLine($"injected hangs, killed once they began: {hangsKilled}");
        return held == options.Runs && client.Failed == 0 && stuckLocks == 0 ? 0 : 1;
    }

    /// <summary>Bounds a hang of a child nobody asked to hang; injected hangs are killed as soon as they announce themselves.</summary>
    static readonly TimeSpan ChildHangBound = TimeSpan.FromMinutes(2);

    /// <summary>The exit code the harness records for a child it killed at <see cref="ChildHangBound"/>.</summary>
    const int TimedOut = -2;

    /// <summary>Cancels <see cref="Token"/> when the child announces an injected hang on its output.</summary>
    sealed class HangSignal : IToolOutputSink, IDisposable
    {
        readonly CancellationTokenSource _source = new();

        public CancellationToken Token => _source.Token;

        public void Write(ToolCommand command, OutputLine line)
        {
            if (line.Text.StartsWith(FaultInjector.HangAnnouncement, StringComparison.Ordinal))
                _source.Cancel();
        }

        public void Dispose() => _source.Dispose();
    }

    /// <summary>
    /// How a run with <paramref name="fault"/> ends (every stage the harness picks is in every plan): killed (by itself,
    /// or by the harness once the hang began), else failed, except a failed clean-up, a warning once the release is live.
    /// </summary>
    static int ExpectedExit(string fault) => fault.Split(':') switch
    {
        [_, "kill" or "hang"] => 137,
        [Stage.CleanUp, "fail"] => 0,
        _ => 1,
    };

    static string? PickFault(Random random, bool rollback)
    {
        if (random.NextDouble() < 0.3)
            return null;
        var stages = rollback ? RollbackStages : DeployStages;
        return random.Next(rollback ? 4 : 5) switch
        {
            0 => $"{stages[random.Next(stages.Length)]}:fail",
            1 => $"{stages[random.Next(stages.Length)]}:hang",
            2 => $"{stages[random.Next(stages.Length)]}:kill",
            3 => "unhealthy",
            _ => "migration",
        };
    }

    static async Task CheckUrlAsync(LocalDeployment local, string[] allowed, List<string> problems, string when)
    {
        var (status, version) = await local.StableHealthAsync(CancellationToken.None);
        if (status != 200 || !allowed.Contains(version))
            problems.Add($"{when} the stable URL answered {status} {version} (expected 200 with {string.Join(" or ", allowed)})");
    }

    static async Task CheckInvariantsAsync(LocalDeployment local, string[] allowed, int expectedDeployments, List<string> problems)
    {
        await CheckUrlAsync(local, allowed, problems, "after the run");
        var environment = local.Environment;
        var warnings = new List<string>();
        var deployments = environment.Journal.ReadDeployments(warnings);
        if (deployments.Count != expectedDeployments)
            problems.Add($"the journal has {deployments.Count} deployments, expected {expectedDeployments}");
        if (deployments.Any(x => x.IsOpen))
            problems.Add($"open journal entries: {string.Join(", ", deployments.Where(x => x.IsOpen).Select(x => x.Id))}");
        if (File.Exists(environment.Layout.Lock))
            problems.Add("the lock is still held: " + File.ReadAllText(environment.Layout.Lock));

        var current = environment.Layout.CurrentRelease();
        if (current is null)
            problems.Add("current is missing or dangling");
        var running = environment.Processes.All().Where(x => x.Release is not null && x.IsAlive()).ToList();
        if (running.Any(x => x.Release != current) || running.Count != 2)
            problems.Add($"release processes running: {string.Join(", ", running.Select(x => x.Name))} (current {current})");

        var succeeded = deployments.Where(x => x.Succeeded).Select(x => x.Release!).ToList();
        var staged = environment.Layout.StagedReleases();
        foreach (var keep in new[] { current, succeeded.LastOrDefault(), succeeded.LastOrDefault(x => x != current) }.OfType<string>())
        {
            if (!staged.Contains(keep))
                problems.Add($"retention removed {keep} (current, previous or known-good)");
        }
    }

    /// <summary>A bounded client on loopback: GET the stable URL every 25 ms, count what fails.</summary>
    sealed class RequestLoop(LocalDeployment local)
    {
        public int Total;
        public int Failed;

        public async Task RunAsync(CancellationToken stop)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && stopwatch.Elapsed < TimeSpan.FromHours(3))
            {
                var (status, version) = await local.StableHealthAsync(CancellationToken.None);
                Interlocked.Increment(ref Total);
                if (status != 200)
                {
                    Interlocked.Increment(ref Failed);
                    Console.Error.WriteLine($"request failed: {status} {version}");
                }
                try
                {
                    await Task.Delay(25, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
