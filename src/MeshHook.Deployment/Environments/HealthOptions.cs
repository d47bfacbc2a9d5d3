using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>health</c>: how a new release is checked before traffic switches to it, and again after the switch.
/// <code>"health": { "path": "/health", "intervalSeconds": 1, "timeoutSeconds": 60, "requestTimeoutSeconds": 5 }</code>
/// The endpoint answers <c>{"status":"ok","version":"&lt;release&gt;"}</c> with HTTP 200 when healthy. It is polled every
/// <see cref="IntervalSeconds"/> until it is healthy and reports the release, for at most <see cref="TimeoutSeconds"/>;
/// each request waits at most <see cref="RequestTimeoutSeconds"/> (and never past the overall timeout).
/// </summary>
public sealed class HealthOptions
{
    public const int MinimumSeconds = 1, MaximumIntervalSeconds = 60, MaximumTimeoutSeconds = 3600, MaximumRequestTimeoutSeconds = 60;

    public string Path { get; init; } = "/health";

    public int IntervalSeconds { get; init; } = 1;

    public int TimeoutSeconds { get; init; } = 60;

    public int RequestTimeoutSeconds { get; init; } = 5;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    internal static HealthOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var defaults = new HealthOptions();
        var health = new HealthOptions
        {
            Path = section.String("path", required: false, "a path starting with '/' (no spaces, query or fragment)", PathProblem) ?? defaults.Path,
            IntervalSeconds = section.Integer("intervalSeconds", required: false, MinimumSeconds, MaximumIntervalSeconds) ?? defaults.IntervalSeconds,
            TimeoutSeconds = section.Integer("timeoutSeconds", required: false, MinimumSeconds, MaximumTimeoutSeconds) ?? defaults.TimeoutSeconds,
            RequestTimeoutSeconds = section.Integer("requestTimeoutSeconds", required: false, MinimumSeconds, MaximumRequestTimeoutSeconds)
                                    ?? defaults.RequestTimeoutSeconds,
        };
        section.RejectUnknownKeys();
        return health;
    }

    static string? PathProblem(string path) =>
        path.StartsWith('/') && !path.Any(c => char.IsWhiteSpace(c) || c is '?' or '#')
            ? null
            : $"'{path}' is not allowed; allowed: a path starting with '/' without spaces, query or fragment (e.g. /health).";
}
