namespace MeshHook.Deployment.Tests.ContainerApps;

/// <summary>
/// A clock whose timers fire at once, moving the time forward by their due time: waits of minutes take no real time,
/// and <see cref="Delays"/> records each wait asked for (to check Retry-After was honoured).
/// </summary>
public sealed class SkipAheadClock(DateTimeOffset start) : TimeProvider
{
    readonly Lock gate = new();
    readonly List<TimeSpan> delays = [];
    DateTimeOffset now = start;

    public SkipAheadClock() : this(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public IReadOnlyList<TimeSpan> Delays
    {
        get { lock (gate) return delays.ToList(); }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
            return now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (gate)
            {
                now += dueTime;
                delays.Add(dueTime);
            }
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new Fired();
    }

    sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
