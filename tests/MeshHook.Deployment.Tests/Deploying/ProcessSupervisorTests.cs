using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>Stopping a started program takes its whole process tree with it: real node processes, real signals.</summary>
public sealed class ProcessSupervisorTests : IDisposable
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    // The leader starts a child in its own group that ignores SIGTERM, then (by mode) ignores SIGTERM itself ("ignore"),
    // exits at SIGTERM ("exit"), or exits on its own once the child runs ("gone"). The child writes its pid once its handler is set.
    const string Leader = """
        import { spawn } from 'node:child_process';
        import { existsSync } from 'node:fs';
        const [mode, dir] = process.argv.slice(2);
        if (mode === 'ignore') process.on('SIGTERM', () => console.log('leader ignores SIGTERM'));
        spawn(process.execPath, [new URL('./child.mjs', import.meta.url).pathname, dir], { stdio: 'inherit' });
        const keepAlive = setInterval(() => {}, 1000);
        if (mode === 'gone') {
          const check = setInterval(() => {
            if (existsSync(`${dir}/child.pid`)) { clearInterval(check); clearInterval(keepAlive); process.exit(0); }
          }, 20);
        }
        """;

    const string Child = """
        import { writeFileSync } from 'node:fs';
        process.on('SIGTERM', () => console.log('child ignores SIGTERM'));
        setInterval(() => {}, 1000);
        writeFileSync(`${process.argv[2]}/child.pid`, String(process.pid));
        """;

    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    ProcessSupervisor Supervisor() => new(_temp.Combine("state"), new ToolRunner(new SecretMasker()), TimeProvider.System);

    async Task<(ProcessRecord Record, int Child)> StartTreeAsync(ProcessSupervisor supervisor, string mode)
    {
        _temp.Write("app/leader.mjs", Leader);
        _temp.Write("app/child.mjs", Child);
        var record = await supervisor.StartAsync(new ProcessSpec("tree-" + mode, "node", [_temp.Combine("app", "leader.mjs"), mode, _temp.Path]), Token);
        var child = await PidFromAsync(_temp.Combine("child.pid"));
        return (record, child);
    }

    static async Task<int> PidFromAsync(string file)
    {
        // Bounds a hang only: the file appears as soon as the child has set its SIGTERM handler.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Token);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (File.Exists(file) && int.TryParse(await File.ReadAllTextAsync(file, bound.Token), out var pid))
                return pid;
            await Task.Delay(20, bound.Token);
        }
    }

    [Theory]
    [InlineData("ignore")]  // leader and child ignore SIGTERM: both are killed after the grace period
    [InlineData("exit")]    // the leader exits at SIGTERM, its child lingers: the child is killed all the same
    public async Task Stopping_kills_the_whole_group_after_the_grace_period(string mode)
    {
        var supervisor = Supervisor();
        var (record, child) = await StartTreeAsync(supervisor, mode);
        var childIdentity = ProcessIdentity.Of(child);
        Assert.NotNull(childIdentity);

        await supervisor.StopAsync(record.Name, TimeSpan.FromMilliseconds(300), Token);

        Assert.False(record.IsAlive(), "the leader is still running");
        Assert.False(childIdentity.IsAlive(), $"the child {child} that ignores SIGTERM is still running");
        Assert.Null(supervisor.Find(record.Name));
    }

    [Fact]
    public async Task Stopping_a_program_whose_leader_is_gone_still_kills_its_lingering_child()
    {
        var supervisor = Supervisor();
        var (record, child) = await StartTreeAsync(supervisor, "gone");
        var childIdentity = ProcessIdentity.Of(child)!;
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(Token))
        {
            bound.CancelAfter(TimeSpan.FromSeconds(60));
            while (record.IsAlive())
                await Task.Delay(20, bound.Token);
        }
        Assert.True(childIdentity.IsAlive());

        await supervisor.StopAsync(record.Name, TimeSpan.FromMilliseconds(300), Token);

        Assert.False(childIdentity.IsAlive(), $"the child {child} outlived the stop of its group");
    }
}
