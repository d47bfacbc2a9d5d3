using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Reporting;
using MeshHook.Deployment.Tests.Infrastructure;
using Microsoft.Playwright;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>
/// The page opened in a real headless browser: it renders without a console error, fetches nothing, has one timeline
/// row (and one stage bar) per journal deployment and the four figures with their definitions. A screenshot of each
/// is saved in artifacts/test-results/report/ for a person to look at.
/// </summary>
public sealed class ReportPageBrowserTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    static string Screenshots => Path.Combine(RepositoryFiles.Root, "artifacts", "test-results", "report");

    public static TheoryData<string> Journals => ["empty", "single", "known-week", "truncated"];

    static void Write(string journal, ReportSubject subject)
    {
        switch (journal)
        {
            case "single":
                subject.Journal.Succeeded("d1", "deploy", "R1", "c1c1c1c1", GeneratedJournal.Utc("2026-11-25T08:00:00"), 5);
                break;
            case "known-week":
                KnownJournal.Write(subject.Journal);
                break;
            case "truncated":
                KnownJournal.Write(subject.Journal);
                File.AppendAllText(subject.Journal.Journal.Path, "{\"type\":\"finished\",\"deploymentId\":\"d10\",\"at\":\"2026-");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Journals))]
    public async Task The_page_renders_without_errors_or_requests_with_a_row_per_deployment(string journal)
    {
        using var subject = new ReportSubject(TimeSpan.FromHours(2), TimeSpan.FromHours(-5));
        Write(journal, subject);
        subject.Masker.Register(KnownJournal.SecretInError);
        var deployments = subject.Journal.Journal.ReadDeployments().Count;
        var report = subject.Report(current: new CurrentState { ServingRelease = "R3", ServingVersion = "1.2.0" });
        var file = EnvironmentReport.WritePage(report, subject.Folder);

        var page = await chromium.Browser.NewPageAsync();
        var errors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
                errors.Add($"console {message.Type}: {message.Text}");
        };
        page.PageError += (_, error) => errors.Add("page error: " + error);
        await page.RouteAsync("**/*", async route =>
        {
            // Only the page itself may load: anything else would be a CDN or a network call.
            if (route.Request.Url == new Uri(file).AbsoluteUri)
                await route.ContinueAsync();
            else
            {
                requests.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });

        var response = await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, journal + ".png"), FullPage = true });

        Assert.True(response?.Ok, $"loading {file}: {response?.Status}");
        Assert.Empty(errors);
        Assert.Empty(requests);
        Assert.Equal($"MeshHook deployments: local", await page.TitleAsync());
        Assert.Equal(deployments, await page.Locator("table.timeline tbody tr.deployment").CountAsync());
        Assert.Equal(deployments, await page.Locator("svg.stage-chart g.bar").CountAsync());
        Assert.Equal(4, await page.Locator(".dora .figure .definition").CountAsync());
        Assert.Equal(ChangeFailureRate.Definition, await page.Locator("#change-failure-rate .definition").InnerTextAsync());
        Assert.True(await page.Locator("#time-to-restore .value").IsVisibleAsync());
        var text = await page.Locator("body").InnerTextAsync();
        Assert.DoesNotContain(KnownJournal.SecretInError, text);
        if (deployments == 0)
            Assert.Contains("No deployment of local is recorded yet", text);
        if (journal == "truncated")
            Assert.Contains("skipped an unreadable journal line", text);
        if (journal == "known-week")
        {
            Assert.Equal("50 %", await page.Locator("#change-failure-rate .value").InnerTextAsync());
            Assert.Equal(Outcomes.Failed, await page.Locator("table.timeline tbody tr.deployment").First.GetAttributeAsync("data-outcome"));
            Assert.Contains("Cancelled deployments count neither as a success nor as a change failure", text);
            // The outcome colours are applied (inline styles work under the page's content security policy).
            Assert.Equal("rgb(207, 34, 46)", await page.Locator("tr[data-id=d10] .outcome").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        }
        await page.CloseAsync();
    }
}
