using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Reporting;

namespace MeshHook.Deployment.Tests.Reporting;

public sealed class DoraFiguresTests
{
    public static TheoryData<string> TimeZones => new()
    {
        "+00:00",
        "+02:00 -05:00 +09:00",           // Berlin summer, New York, Tokyo, one after another
        "+14:00 -12:00 +05:45 -03:30",    // the extremes and the odd quarters
    };

    static TimeSpan[] Offsets(string zones) =>
        zones.Split(' ').Select(x => TimeSpan.Parse(x.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [MemberData(nameof(TimeZones))]
    public void The_four_figures_of_a_known_week_are_the_worked_out_answers_whatever_time_zones_the_journal_was_written_in(string zones)
    {
        using var subject = new ReportSubject(Offsets(zones));
        KnownJournal.Write(subject.Journal);

        var figures = subject.Report().Figures;

        // d1, d3, d5, d8, d9 succeeded in the 7 days (d0 is before the window, r6 is a rollback).
        Assert.Equal(5, figures.DeploymentFrequency.Deployments);
        Assert.Equal(7, figures.DeploymentFrequency.Days, 9);
        Assert.Equal(5.0 / 7, figures.DeploymentFrequency.PerDay, 9);
        // Commits first deployed: c1 65 min, c3 30 min, c5 4 h; c8 unknown to git; d9 redeploys c3.
        Assert.Equal(TimeSpan.FromMinutes(65), figures.LeadTimeForChanges.Median);
        Assert.Equal(3, figures.LeadTimeForChanges.Measured);
        Assert.Equal(1, figures.LeadTimeForChanges.WithoutCommitTime);
        // d2 failed, d4 rolled back, d5 undone by r6, d10 failed, of d1 d2 d3 d4 d5 d8 d9 d10 (d7 cancelled counts neither way).
        Assert.Equal(4, figures.ChangeFailureRate.Failures);
        Assert.Equal(8, figures.ChangeFailureRate.Deployments);
        Assert.Equal(0.5, figures.ChangeFailureRate.Rate);
        // d4 1 min, d2 18 min (across midnight in New York), d5 59 min; d10 not restored.
        Assert.Equal(TimeSpan.FromMinutes(18), figures.TimeToRestore.Median);
        Assert.Equal(3, figures.TimeToRestore.Restored);
        Assert.Equal(1, figures.TimeToRestore.NotRestored);
    }

    [Fact]
    public void A_deploy_replaced_by_a_rollback_counts_as_a_change_failure_and_the_timeline_says_by_which()
    {
        using var subject = new ReportSubject();
        KnownJournal.Write(subject.Journal);

        var timeline = subject.Report().Timeline;

        Assert.Equal("r6", timeline.Single(x => x.Id == "d5").UndoneBy);
        Assert.All(timeline.Where(x => x.Id != "d5"), x => Assert.Null(x.UndoneBy));
        Assert.Equal(["d2", "d4", "d5", "d10"], timeline.Where(x => x.IsChangeFailure).Select(x => x.Id).Reverse());
    }

    [Fact]
    public void The_window_decides_what_counts_a_wider_one_takes_in_the_earlier_deploy()
    {
        using var subject = new ReportSubject();
        KnownJournal.Write(subject.Journal);

        var month = subject.Report(since: "30d").Figures;
        var lastDay = subject.Report(since: "24h").Figures;

        Assert.Equal(6, month.DeploymentFrequency.Deployments);               // d0 too
        Assert.Equal(TimeSpan.FromMinutes((65 + 240) / 2.0), month.LeadTimeForChanges.Median); // c0 joins: 30 min, 65 min, 4 h, 21 h 4 min
        Assert.Equal(4, month.LeadTimeForChanges.Measured);
        Assert.Equal((4, 9), (month.ChangeFailureRate.Failures, month.ChangeFailureRate.Deployments));
        Assert.Equal(2, lastDay.DeploymentFrequency.Deployments);             // d8, d9
        Assert.Equal(1, lastDay.ChangeFailureRate.Failures);                  // d10
        Assert.Equal(3, lastDay.ChangeFailureRate.Deployments);
        Assert.Null(lastDay.LeadTimeForChanges.Median);                       // c8 unknown, c3 not new
        Assert.Equal(1, lastDay.LeadTimeForChanges.WithoutCommitTime);
    }

    [Fact]
    public void An_empty_journal_gives_zero_deploys_and_no_rate_or_median()
    {
        using var subject = new ReportSubject();

        var report = subject.Report();

        Assert.Empty(report.Timeline);
        Assert.Equal(0, report.Figures.DeploymentFrequency.Deployments);
        Assert.Null(report.Figures.ChangeFailureRate.Rate);
        Assert.Null(report.Figures.LeadTimeForChanges.Median);
        Assert.Null(report.Figures.TimeToRestore.Median);
        Assert.Null(report.Current.LastFailure);
    }

    [Fact]
    public void A_single_successful_deploy_gives_one_deploy_no_failures_and_its_lead_time()
    {
        using var subject = new ReportSubject();
        subject.Journal.Succeeded("d1", "deploy", "R1", "c1c1c1c1", GeneratedJournal.Utc("2026-11-25T08:00:00"), 5);

        var figures = subject.Report().Figures;

        Assert.Equal(1, figures.DeploymentFrequency.Deployments);
        Assert.Equal(0.0, figures.ChangeFailureRate.Rate);
        Assert.Equal(TimeSpan.FromMinutes(65), figures.LeadTimeForChanges.Median);
        Assert.Equal(0, figures.TimeToRestore.Restored + figures.TimeToRestore.NotRestored);
    }

    [Fact]
    public void Cancelled_and_unknown_outcomes_count_neither_way_and_the_report_says_so()
    {
        using var subject = new ReportSubject();
        var start = GeneratedJournal.Utc("2026-11-30T10:00:00");
        subject.Journal.Succeeded("d1", "deploy", "R1", "c1c1c1c1", start, 5);
        subject.Journal.Add("d2", "deploy", "R2", "c2c2c2c2", start.AddHours(1), GeneratedJournal.Stages(1), "cancelled");
        subject.Journal.Add("d3", "deploy", "R3", "c3c3c3c3", start.AddHours(2), GeneratedJournal.Stages(1), "exploded");
        subject.Journal.Add("d4", "deploy", "R4", "c4c4c4c4", start.AddHours(3), GeneratedJournal.Stages(1), Outcomes.Aborted);

        var report = subject.Report();

        Assert.Equal(1, report.Figures.ChangeFailureRate.Deployments);
        Assert.Equal(0, report.Figures.ChangeFailureRate.Failures);
        Assert.Equal(1, report.Figures.DeploymentFrequency.Deployments);
        Assert.Equal(["exploded", "cancelled"], report.Timeline.Where(x => x.Category == OutcomeCategory.NotCounted && x.Outcome != Outcomes.Aborted).Select(x => x.Outcome));
        Assert.Contains(report.Notes, x => x.Contains("'exploded', an outcome this report does not know") && x.Contains("counted neither"));
        Assert.Contains(report.Notes, x => x.StartsWith("Cancelled deployments count neither as a success nor as a change failure"));
    }

    [Fact]
    public void An_open_deployment_is_running_when_it_holds_the_lock_and_unfinished_otherwise()
    {
        using var subject = new ReportSubject();
        var start = GeneratedJournal.Utc("2026-11-30T10:00:00");
        subject.Journal.Add("d1", "deploy", "R1", "c1", start, GeneratedJournal.Stages(1), outcome: null);
        subject.Journal.Add("d2", "deploy", "R2", "c2", start.AddHours(1), GeneratedJournal.Stages(1), outcome: null);

        var report = subject.Report(lockedBy: "d2");

        Assert.Equal(["running", "unfinished"], report.Timeline.Select(x => x.Outcome));
        Assert.Equal(0, report.Figures.ChangeFailureRate.Deployments);
    }

    [Fact]
    public void A_truncated_last_line_is_left_out_and_named_in_the_notes()
    {
        using var subject = new ReportSubject();
        KnownJournal.Write(subject.Journal);
        File.AppendAllText(subject.Journal.Journal.Path, "{\"type\":\"started\",\"deploymentId\":\"d11\",\"at\":\"2026-12-01T11:");

        var report = subject.Report();

        Assert.Equal(KnownJournal.Deployments, report.Timeline.Count);
        Assert.Contains(report.Notes, x => x.Contains("skipped an unreadable journal line"));
        Assert.Equal(0.5, report.Figures.ChangeFailureRate.Rate);
    }

    [Fact]
    public void The_timeline_is_newest_first_with_the_last_failure_and_its_error_masked()
    {
        using var subject = new ReportSubject(TimeSpan.FromHours(-5));
        KnownJournal.Write(subject.Journal);
        subject.Masker.Register(KnownJournal.SecretInError);   // a journal written before its masker knew the value

        var report = subject.Report();

        Assert.Equal("d10", report.Timeline[0].Id);
        Assert.Equal("d0", report.Timeline[^1].Id);
        Assert.True(report.Timeline.Zip(report.Timeline.Skip(1)).All(x => x.First.StartedAt >= x.Second.StartedAt));
        Assert.Equal("d10", report.Current.LastFailure?.Id);
        var d2 = report.Timeline.Single(x => x.Id == "d2");
        Assert.DoesNotContain(KnownJournal.SecretInError, d2.Error);
        Assert.Contains("password *** rejected", d2.Error);
        Assert.Equal(GeneratedJournal.Utc("2026-11-27T04:52:00"), d2.FailedAt);
        Assert.Equal(TimeSpan.FromMinutes(3), d2.Duration);
        Assert.Equal(["lock", "migrate"], d2.Stages.Select(x => x.Name));
    }
}
