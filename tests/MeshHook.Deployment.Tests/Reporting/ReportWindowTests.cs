using MeshHook.Deployment.Reporting;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Reporting;

public sealed class ReportWindowTests
{
    static readonly DateTimeOffset Now = GeneratedJournal.Utc("2026-12-01T12:00:00");

    [Theory]
    [InlineData(null, "2026-11-01T12:00:00")]
    [InlineData("", "2026-11-01T12:00:00")]
    [InlineData("30d", "2026-11-01T12:00:00")]
    [InlineData("12h", "2026-12-01T00:00:00")]
    [InlineData("2w", "2026-11-17T12:00:00")]
    [InlineData("7D", "2026-11-24T12:00:00")]
    [InlineData("2026-11-15", "2026-11-15T00:00:00")]
    [InlineData("2026-11-15T08:00:00+02:00", "2026-11-15T06:00:00")]
    public void Since_takes_a_length_back_from_now_or_a_start_date(string? since, string start)
    {
        var window = ReportWindow.Parse(since, Now);

        Assert.Equal(GeneratedJournal.Utc(start), window.Start);
        Assert.Equal(Now, window.End);
    }

    [Theory]
    [InlineData("abc", "is not a window")]
    [InlineData("30", "is not a window")]
    [InlineData("0d", "is not a window")]
    [InlineData("-3d", "is not a window")]
    [InlineData("2027-01-01", "is not in the past")]
    public void A_since_that_is_not_a_window_is_refused_with_what_to_give_instead(string since, string expected)
    {
        var error = Assert.Throws<UserFacingException>(() => ReportWindow.Parse(since, Now));

        Assert.Contains(expected, error.Message);
        Assert.Contains("30d", error.Message);
    }
}
