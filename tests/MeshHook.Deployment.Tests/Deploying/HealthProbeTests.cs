using System.Net;
using MeshHook.Deployment.Health;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>The health poll's decisions and timing, on a fake clock: no test here sleeps.</summary>
public sealed class HealthProbeTests
{
    sealed class Answers(params (HttpStatusCode Status, string Body)[] answers) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (status, body) = answers[Math.Min(Calls++, answers.Length - 1)];
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });
        }
    }

    static readonly HealthOptions Options = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
    static readonly Uri Url = new("http://127.0.0.1:1/health");

    static async Task<(bool Healthy, HealthReport Last)> WaitAsync(Answers answers, FakeTimeProvider time, string version)
    {
        var wait = new HealthProbe(new HttpClient(answers), time).WaitAsync(Url, version, Options, TestContext.Current.CancellationToken);
        for (var i = 0; i < 1000 && !wait.IsCompleted; i++)
        {
            await Task.Yield();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }
        return await wait;
    }

    [Fact]
    public async Task Healthy_means_200_status_ok_and_the_expected_version()
    {
        var answers = new Answers(
            (HttpStatusCode.ServiceUnavailable, """{"status":"degraded","version":"r2"}"""),
            (HttpStatusCode.OK, """{"status":"ok","version":"r1"}"""),
            (HttpStatusCode.OK, """{"status":"ok","version":"r2"}"""));

        var (healthy, last) = await WaitAsync(answers, new FakeTimeProvider(), "r2");

        Assert.True(healthy);
        Assert.Equal(3, answers.Calls);
        Assert.Equal("r2", last.Version);
    }

    [Fact]
    public async Task It_gives_up_after_the_timeout_with_the_last_answer()
    {
        var time = new FakeTimeProvider();
        var answers = new Answers((HttpStatusCode.ServiceUnavailable, """{"status":"down","version":"r2"}"""));
        var started = time.GetUtcNow();

        var (healthy, last) = await WaitAsync(answers, time, "r2");

        Assert.False(healthy);
        Assert.InRange(time.GetUtcNow() - started, Options.Timeout, Options.Timeout + TimeSpan.FromSeconds(2));
        Assert.Equal("HTTP 503, status 'down', version 'r2'", last.Describe());
        // Fast first polls (100, 200, 400, 800 ms), then every second: about 13 polls in 10 s, not 100.
        Assert.InRange(answers.Calls, 10, 16);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_reported_not_thrown()
    {
        var answers = new Answers((HttpStatusCode.OK, "<html>proxy error</html>"));

        var (healthy, last) = await WaitAsync(answers, new FakeTimeProvider(), "r1");

        Assert.False(healthy);
        Assert.Equal("<html>proxy error</html>", last.Body);
    }
}
