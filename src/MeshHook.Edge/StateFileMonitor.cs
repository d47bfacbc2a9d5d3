using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace MeshHook.Edge;

/// <summary>
/// Loads the state file and reloads it when it changes: a <see cref="FileSystemWatcher"/> on its directory wakes the loop at
/// once, and the loop also re-reads the file every <see cref="PollInterval"/> (watchers miss events; renames are odd). A file
/// whose bytes did not change is not parsed again. A missing, unreadable, malformed or invalid file never changes the active
/// destination: the last good one is kept and a warning is logged (once per distinct content).
/// </summary>
internal sealed class StateFileMonitor(
    EdgeOptions options,
    InMemoryConfigProvider provider,
    ILogger<StateFileMonitor> logger,
    TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _path = options.StateFile;
    private readonly string _directory = Path.GetDirectoryName(options.StateFile)!;
    private readonly string _fileName = Path.GetFileName(options.StateFile);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private FileSystemWatcher? _watcher;
    private bool _watcherFailed;
    private byte[]? _lastBytes;
    private bool _fileWasPresent;
    private string? _lastReadError;

    /// <summary>The state YARP was last given (null: no release is active yet).</summary>
    public EdgeState? Current { get; private set; }

    /// <summary>Why the current file content is not used (null when it is used, or when there is no file).</summary>
    public string? StateError { get; private set; }

    /// <summary>Reads the state file once, before the edge starts listening.</summary>
    public void LoadInitial()
    {
        Check("start-up read");
        if (Current is null && StateError is null)
        {
            logger.LogInformation("No state file at {StateFile} yet: answering 503 until a release is active", _path);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start the loop off the host's start-up path.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            EnsureWatcher();
            bool woken;
            try
            {
                woken = await _wake.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                Check(woken ? "file watcher" : "poll");
            }
#pragma warning disable CA1031 // The edge must outlive any surprise in a reload.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogWarning(ex, "Reloading {StateFile} failed (still active: {Release})", _path, Describe(Current));
            }
        }
    }

    private void Check(string trigger)
    {
        byte[]? bytes;
        try
        {
            bytes = File.ReadAllBytes(_path);
            _lastReadError = null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            bytes = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (_lastReadError != ex.Message)
            {
                _lastReadError = ex.Message;
                logger.LogWarning("Cannot read state file {StateFile}: {Reason} (still active: {Release})", _path, ex.Message, Describe(Current));
            }

            return;
        }

        if (bytes is null)
        {
            if (_fileWasPresent)
            {
                _fileWasPresent = false;
                _lastBytes = null;
                StateError = null;
                logger.LogWarning("State file {StateFile} disappeared (still active: {Release})", _path, Describe(Current));
            }

            return;
        }

        _fileWasPresent = true;
        if (_lastBytes is not null && bytes.AsSpan().SequenceEqual(_lastBytes))
        {
            return;
        }

        _lastBytes = bytes;
        EdgeState state;
        try
        {
            state = EdgeState.Parse(bytes);
        }
        catch (EdgeStateException ex)
        {
            StateError = ex.Message;
            logger.LogWarning("Ignoring state file {StateFile}: {Reason} (still active: {Release})", _path, ex.Message, Describe(Current));
            return;
        }

        StateError = null;
        if (state == Current)
        {
            return;
        }

        Apply(state, trigger);
    }

    private void Apply(EdgeState state, string trigger)
    {
        var previous = Current;
        provider.Update(EdgeProxyConfig.Routes, EdgeProxyConfig.Clusters(state, time.GetUtcNow()));
        Current = state;
        if (previous is null)
        {
            logger.LogInformation("Active release {Release} at {Upstream} (noticed by {Trigger})", state.Release, state.Upstream.OriginalString, trigger);
        }
        else
        {
            logger.LogInformation(
                "Switched to release {Release} at {Upstream} from {PreviousRelease} at {PreviousUpstream} (noticed by {Trigger})",
                state.Release,
                state.Upstream.OriginalString,
                previous.Release,
                previous.Upstream.OriginalString,
                trigger);
        }
    }

    private void EnsureWatcher()
    {
        if (_watcher is not null || _watcherFailed || !Directory.Exists(_directory))
        {
            return;
        }

        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.Error += OnError;
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
#pragma warning disable CA1031 // Polling still works without a watcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _watcherFailed = true;
            logger.LogWarning("Cannot watch {Directory} ({Reason}); relying on polling every {Interval} ms", _directory, ex.Message, PollInterval.TotalMilliseconds);
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        var relevant = string.Equals(e.Name, _fileName, StringComparison.Ordinal)
            || (e is RenamedEventArgs r && string.Equals(r.OldName, _fileName, StringComparison.Ordinal));
        if (relevant)
        {
            Wake();
        }
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        logger.LogWarning("File watcher on {Directory} failed ({Reason}); relying on polling until it is recreated", _directory, e.GetException().Message);
        var watcher = Interlocked.Exchange(ref _watcher, null);
        watcher?.Dispose();
        Wake();
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    private static string Describe(EdgeState? state) =>
        state is null ? "none" : $"release {state.Release} at {state.Upstream.OriginalString}";

    public override void Dispose()
    {
        _watcher?.Dispose();
        _wake.Dispose();
        base.Dispose();
    }
}
