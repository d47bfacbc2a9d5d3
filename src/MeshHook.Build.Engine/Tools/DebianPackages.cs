using MeshHook.Tooling;

namespace MeshHook.Build.Engine.Tools;

/// <summary>Makes sure a program from a Debian package is installed: installs it when running as root, else says how.</summary>
public static class DebianPackages
{
    public static async Task EnsureAsync(ToolRunner tools, string executable, string package, CancellationToken cancellationToken)
    {
        if (ExecutableLocator.Find(executable) is not null)
            return;
        var manual = $"'{executable}' is needed by the tests; install it with: sudo apt-get install -y {package}";
        if (ExecutableLocator.Find("apt-get") is null || Environment.UserName != "root")
            throw new TargetFailedException(manual);
        Log.Information($"Installing the Debian package {package} (for {executable})");
        await tools.RunAsync(new ToolCommand("apt-get", "update", "-qq") { Timeout = TimeSpan.FromMinutes(5), LogOutput = false }, cancellationToken);
        await tools.RunAsync(new ToolCommand("apt-get", "install", "-y", "-qq", "--no-install-recommends", package)
        {
            Timeout = TimeSpan.FromMinutes(5),
            LogOutput = false,
            Environment = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" },
        }, cancellationToken);
    }
}
