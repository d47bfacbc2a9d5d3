using MeshHook.Build.Engine;
using MeshHook.Deployment;
using MeshHook.Deployment.Building;
using MeshHook.Deployment.Deploying;
using MeshHook.Deployment.Stages;

/// <summary>Deploy, Rollback, Releases, Status, Stop and Unlock for --environment.</summary>
partial class Build
{
    [Parameter("Deploy/Rollback: print the stages and steps that would run, change nothing", FromEnvironment = false)]
    readonly bool DryRun;

    [Parameter("Deploy: deploy even when the release is already current and healthy; Rollback: to the current release", FromEnvironment = false)]
    readonly bool Force;

    [Parameter("Deploy/Rollback: why --force overrides the environment's protection (a dirty release, a release not built on CI to production); journaled", FromEnvironment = false)]
    readonly string? ForceReason;

    [Parameter("Deploy/Rollback: wait up to this long (seconds or hh:mm:ss) for a lock held by another deploy; default: fail at once")]
    readonly TimeSpan LockWait = TimeSpan.Zero;

    [Parameter("Releases/Status/Report: print JSON instead of a table or page", FromEnvironment = false)]
    readonly bool Json;

    EdgeBuild Edge => new(RootDirectory, ArtifactsDirectory);

    /// <summary>JSON goes to standard output as is (masked), so --json --verbosity quiet prints nothing else.</summary>
    void Print(string text)
    {
        if (Json)
            Console.Out.WriteLine(text);
        else
            Log.Information(text);
    }

    EnvironmentOperations Operations => new(RootDirectory, Environment, ReleaseStore, Tools, BuildContext.Current.Environment,
        LocalPrograms.InRepository(RootDirectory, Edge.Assembly), TimeProvider.System, new DeploymentLog(Log.Information, Log.Warning)) { Observers = DeploymentObservers };

    DeployOptions DeployOptions => new() { Actor = Builder, Force = Force, DryRun = DryRun, LockWait = LockWait, Reason = ForceReason };

    Target BuildEdge => _ => _
        .Description("Builds the edge proxy that serves the local environment's stable URL into artifacts/build/edge")
        .OnlyWhenStatic(() => Operations.UsesEdge, "--environment's target is served by the edge (local)")
        .OnlyWhenDynamic(() => !Edge.IsUpToDate(), "its sources changed since the last successful build")
        .Executes(() => Edge.BuildAsync(Tools, CancellationToken));

    Target Deploy => _ => _
        .Description("Deploys the release (default: the one just packaged) to --environment: migrate, start beside the old one, health-check, switch, verify")
        .DependsOn(Package, BuildEdge)
        .After(BuildImages)   // a containerApps revision runs the images BuildImages pushed, when both are asked for
        .Triggers(Notify)
        .Executes(async () =>
        {
            await Sources.BuildTools.InstallAsync(Tools, CancellationToken);   // pglite-server, the Supabase CLI
            try { await Operations.DeployAsync(Release ?? PackagedRelease?.Id, DeployOptions, CancellationToken); } finally { await PublishDoraSummaryAsync(); }
        });

    Target Rollback => _ => _
        .Description("Brings back the previous successfully deployed release of --environment (or --release <id>); the database stays as it is")
        .DependsOn(BuildEdge)
        .Triggers(Notify)
        .Executes(async () =>
        {
            await Sources.BuildTools.InstallAsync(Tools, CancellationToken);
            await Operations.RollbackAsync(Release, DeployOptions, CancellationToken);
        });

    Target Releases => _ => _
        .Description("Lists the releases of --environment: id, commit, deployed at, by, outcome, which is current (--json)")
        .Executes(async () => Print(await Operations.ReleasesAsync(Json, CancellationToken)));

    Target Status => _ => _
        .Description("Shows --environment's URL, current release, health, lock holder and processes (--json)")
        .Executes(async () => Print(await Operations.StatusAsync(Json, CancellationToken)));

    Target Stop => _ => _
        .Description("Stops everything --environment runs on this machine: releases (drained), edge, database")
        .Executes(() => Operations.StopAsync(CancellationToken));

    Target Unlock => _ => _
        .Description("Removes --environment's deploy lock by hand (when its holder is known to be gone)")
        .Executes(async () => Log.Information(await Operations.UnlockAsync(CancellationToken)));
}
