using MeshHook.Build.Engine;
using MeshHook.Tooling;

/// <summary>
/// <c>LongTool</c> runs a node program that starts a grandchild (<c>sleep 300</c>), writes "&lt;node pid&gt; &lt;sleep pid&gt;"
/// to <c>&lt;state&gt;/started</c> once both run, records each signal it gets in <c>&lt;state&gt;/signals</c> and, on
/// SIGTERM, exits (or, with <c>--ignore-term</c>, carries on). <c>Cleanup</c> is assured after failure and writes
/// <c>&lt;state&gt;/cleanup</c>.
/// </summary>
class SignalSampleBuild : NukeBuild
{
    // No default target: started without arguments (by mistake, or by a runner) it does nothing.
    public static int Main() => Execute<SignalSampleBuild>();

    [Parameter("Folder for the files the targets write")]
    readonly string State = string.Empty;

    [Parameter("The node program keeps running on SIGTERM (only SIGKILL stops it)")]
    readonly bool IgnoreTerm;

    const string Program = """
        const { spawn } = require('node:child_process');
        const fs = require('node:fs');
        const path = require('node:path');
        const [state, ignoreTerm] = process.argv.slice(1);
        const record = (line) => fs.appendFileSync(path.join(state, 'signals'), line + '\n');
        process.on('SIGINT', () => record('SIGINT'));
        process.on('SIGTERM', () => { record('SIGTERM'); if (ignoreTerm !== 'true') process.exit(143); });
        const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
        sleeper.on('spawn', () => {
          const file = path.join(state, 'started');
          fs.writeFileSync(file + '.tmp', `${process.pid} ${sleeper.pid}\n`);
          fs.renameSync(file + '.tmp', file);
          console.log('long tool started');
        });
        setInterval(() => {}, 1000);
        """;

    Target LongTool => _ => _
        .Executes(() => Tools.RunAsync(new ToolCommand("node", "-e", Program, State, IgnoreTerm ? "true" : "false")
        {
            // A tool that ignores SIGTERM would be killed after the grace: make the grace long so that only a second
            // interrupt ends it quickly.
            StopGrace = IgnoreTerm ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(3),
        }, CancellationToken));

    Target Cleanup => _ => _
        .After(LongTool)
        .AssuredAfterFailure()
        .Executes(() =>
        {
            File.WriteAllText(Path.Combine(State, "cleanup"), "ran\n");
            Log.Information("Cleanup ran");
        });
}
