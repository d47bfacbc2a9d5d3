using System.Text.Json;
using MeshHook.Deployment.Reporting;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>The same figures as the page, as JSON (dashboards) and as the Markdown table of a GitHub step summary.</summary>
public sealed class ReportOutputTests
{
    [Fact]
    public void Json_carries_the_figures_in_seconds_and_rates_with_their_definitions_and_every_deployment()
    {
        using var subject = new ReportSubject(TimeSpan.FromHours(9));
        KnownJournal.Write(subject.Journal);

        using var json = JsonDocument.Parse(subject.Report().ToJson());
        var root = json.RootElement;
        var figures = root.GetProperty("figures");

        Assert.Equal(5, figures.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(65 * 60, figures.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(0.5, figures.GetProperty("changeFailureRate").GetProperty("rate").GetDouble());
        Assert.Equal(18 * 60, figures.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(ChangeFailureRate.Definition, figures.GetProperty("changeFailureRate").GetProperty("definition").GetString());
        Assert.Equal(KnownJournal.Deployments, root.GetProperty("deployments").GetArrayLength());
        var d5 = root.GetProperty("deployments").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "d5");
        Assert.Equal("changeFailure", d5.GetProperty("countsAs").GetString());
        Assert.Equal("2026-11-29T23:58:00+00:00", d5.GetProperty("startedAt").GetString());
        Assert.Equal(7, root.GetProperty("window").GetProperty("days").GetDouble());
    }

    [Fact]
    public void Json_of_an_empty_journal_has_null_rate_and_medians()
    {
        using var subject = new ReportSubject();

        using var json = JsonDocument.Parse(subject.Report().ToJson());
        var figures = json.RootElement.GetProperty("figures");

        Assert.Equal(JsonValueKind.Null, figures.GetProperty("changeFailureRate").GetProperty("rate").ValueKind);
        Assert.Equal(JsonValueKind.Null, figures.GetProperty("leadTimeForChanges").GetProperty("medianSeconds").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("deployments").GetArrayLength());
    }

    [Fact]
    public void The_step_summary_is_a_markdown_table_of_the_four_figures()
    {
        using var subject = new ReportSubject();
        KnownJournal.Write(subject.Journal);

        var markdown = subject.Report(current: new CurrentState { ServingRelease = "R3", ServingVersion = "1.2.0" }).ToMarkdown();

        Assert.Contains("| Figure | Value | Based on |", markdown);
        Assert.Contains("| Deployment frequency | 0.71 per day (5 per week) | 5 successful deploys in 7 days |", markdown);
        Assert.Contains("| Lead time for changes | 1 h 5 min (median) | 3 commits measured; 1 without a commit time from git |", markdown);
        Assert.Contains("| Change failure rate | 50 % | 4 of 8 deploys |", markdown);
        Assert.Contains("| Time to restore | 18 min (median) | 3 failures restored; 1 not restored yet |", markdown);
        Assert.Contains("Serving: `R3` (1.2.0) · last failure: deploy of `R10` at 2026-12-01 11:01:00 UTC", markdown);
    }
}
