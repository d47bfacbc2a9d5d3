using MeshHook.Build.Engine;
using MeshHook.Deployment.Reporting;

/// <summary>Report: the deployment report of --environment (a page, or --json), and the DORA table in GitHub's step summary.</summary>
partial class Build
{
    [Parameter("Report: the window of the DORA figures, back from now: 30d (default), 12h, 2w, or a start date such as 2026-11-01", FromEnvironment = false)]
    readonly string? Since;

    EnvironmentReport EnvironmentReport => new(RootDirectory, ReleaseStore, Tools, TimeProvider.System) { JournalOfTarget = () => Operations.Journal };

    AbsolutePath ReportsDirectory => ArtifactsDirectory / "reports";

    Target Report => _ => _
        .Description("Writes artifacts/reports/<env>.html: deployments and rollbacks, stage durations, the four DORA figures over --since (default 30d), current state (--json: print them as JSON)")
        .Produces("artifacts/reports/*")
        .Executes(async () =>
        {
            var report = await EnvironmentReport.CreateAsync(Environment, Since, CancellationToken);
            Print(Json ? report.ToJson() : $"Report of {report.Environment}: {EnvironmentReport.WritePage(report, ReportsDirectory)}");
        });

    /// <summary>After a deploy on GitHub Actions: the DORA table in the job's summary. It never fails the deploy.</summary>
    async Task PublishDoraSummaryAsync()
    {
        if (Host.Kind != HostKind.GitHubActions)
            return;
        try
        {
            var report = await EnvironmentReport.CreateAsync(Environment, Since, CancellationToken.None);
            Host.PublishSummary(SecretMasker.Apply(report.ToMarkdown()));
        }
        catch (Exception exception)
        {
            Log.Warning($"No DORA table in the step summary: {exception.Message}");
        }
    }
}
