using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Reporting;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>The page as text: journal text is escaped, never markup; failed stages are marked in the chart.</summary>
public sealed class ReportPageTests
{
    [Fact]
    public void Journal_text_is_shown_as_text_never_as_markup()
    {
        using var subject = new ReportSubject();
        subject.Journal.Add("d1", "deploy", "R1<b>", "c1", GeneratedJournal.Utc("2026-11-30T10:00:00"),
            [("migrate", 5, Outcomes.Failed, "<script>alert(1)</script>")], Outcomes.Failed, "<script>alert(1)</script> & <img src=x>");

        var html = ReportPage.Render(subject.Report());

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x&gt;", html);
        Assert.Contains("R1&lt;b&gt;", html);
    }

    [Fact]
    public void The_stage_that_failed_is_outlined_and_named_failed_in_its_tooltip()
    {
        using var subject = new ReportSubject();
        KnownJournal.Write(subject.Journal);

        var svg = StageChart.Render(subject.Report().Timeline);

        Assert.Contains("class=\"failed\"><title>migrate: 1 min 59 s (failed)</title>", svg);
        Assert.Equal(3, svg.Split("class=\"failed\"><title>").Length - 1);   // d2 migrate, d4 verify, d10 start
    }
}
