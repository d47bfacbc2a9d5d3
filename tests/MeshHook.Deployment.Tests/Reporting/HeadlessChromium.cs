using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;
using Microsoft.Playwright;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>
/// Debian's chromium driven by Playwright (never Playwright's own browser download, which cannot work here): one
/// browser for the test class, headless, with a fresh profile and no background networking. <c>./build.sh Restore</c>
/// installs chromium when it is missing.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    readonly TempDirectory _profile = new();
    IPlaywright? _playwright;

    public IBrowserContext Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var executable = ExecutableLocator.Find("chromium")
            ?? throw new InvalidOperationException("chromium is not installed: ./build.sh Restore installs it (or: apt-get install -y chromium).");
        _playwright = await Playwright.CreateAsync();
        // A persistent context is how Playwright takes a user data dir of our choosing: a fresh one per run.
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profile.Path, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = Flags,
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
            Timeout = 60_000,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        _profile.Dispose();
    }
}
