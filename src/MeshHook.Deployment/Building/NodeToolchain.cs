using System.Text.RegularExpressions;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Building;

/// <summary>Node.js and npm as the application builds need them: Node 20 or later, run through the tool runner.</summary>
public static partial class NodeToolchain
{
    public const int MinimumMajorVersion = 20;
    public const string InstallHint = "MeshHook needs Node.js 20 or later: install Node 20 LTS (https://nodejs.org, or apt-get install nodejs).";

    [GeneratedRegex(@"^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)")]
    private static partial Regex VersionPattern();

    /// <summary>Fails with what to install when node is missing or older than <see cref="MinimumMajorVersion"/>.</summary>
    public static async Task<Version> EnsureAsync(ToolRunner tools, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = await tools.RunAsync(new ToolCommand("node", "--version")
        {
            LogOutput = false,
            Timeout = TimeSpan.FromSeconds(30),
            InstallHint = InstallHint,
            Environment = environment ?? new Dictionary<string, string?>(),
        }, cancellationToken);
        var version = Parse(result.StandardOutput.Trim());
        if (version.Major < MinimumMajorVersion)
            throw new UserFacingException($"Node.js {result.StandardOutput.Trim()} is too old. {InstallHint}");
        return version;
    }

    public static Version Parse(string text)
    {
        var match = VersionPattern().Match(text);
        if (!match.Success)
            throw new UserFacingException($"Cannot read the Node.js version from 'node --version' output '{text}'. {InstallHint}");
        return new Version(int.Parse(match.Groups["major"].Value), int.Parse(match.Groups["minor"].Value), int.Parse(match.Groups["patch"].Value));
    }

    public static ToolCommand Npm(string workingDirectory, params string[] arguments) =>
        new ToolCommand("npm", arguments)
        {
            WorkingDirectory = workingDirectory,
            Timeout = TimeSpan.FromMinutes(10),
            InstallHint = InstallHint,
            Environment = new Dictionary<string, string?>
            {
                ["npm_config_fund"] = "false",
                ["npm_config_audit"] = "false",
                ["npm_config_update_notifier"] = "false",
                ["npm_config_loglevel"] = "warn",
            },
        };
}
