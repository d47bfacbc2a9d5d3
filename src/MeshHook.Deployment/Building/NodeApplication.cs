using MeshHook.Tooling;

namespace MeshHook.Deployment.Building;

/// <summary>
/// A Node package of the repository (the web app, the workers, test tools) and how it is installed, built, tested and
/// assembled into a deployable folder with its production dependencies only.
/// </summary>
public sealed record NodeApplication
{
    static readonly IReadOnlySet<string> GeneratedDirectories =
        new HashSet<string> { "node_modules", "build", ".svelte-kit", "test", "testing", "coverage", ".turbo" };

    public required string Name { get; init; }

    /// <summary>The package's folder (holds package.json and package-lock.json).</summary>
    public required string Directory { get; init; }

    /// <summary>npm scripts run in order after install, e.g. ["build"] (vite build) or ["check"].</summary>
    public IReadOnlyList<string> BuildScripts { get; init; } = [];

    /// <summary>Files and folders of <see cref="Directory"/> (after the build scripts) that make up the deployable output.</summary>
    public IReadOnlyList<string> OutputEntries { get; init; } = [];

    /// <summary>Where the deployable folder is assembled; null for packages that are not deployed.</summary>
    public string? OutputDirectory { get; init; }

    string InstallStamp => Path.Combine(Directory, "node_modules", ".meshhook-install");
    string BuildStamp => OutputDirectory + ".inputs";

    /// <summary><c>npm ci</c>, unless node_modules was installed from this very package-lock.json already.</summary>
    public async Task InstallAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        var lockHash = LockFileHash();
        if (File.Exists(InstallStamp) && await File.ReadAllTextAsync(InstallStamp, cancellationToken) == lockHash)
            return;
        await tools.RunAsync(NodeToolchain.Npm(Directory, "ci"), cancellationToken);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(InstallStamp)!); // npm makes none for a package without dependencies
        await File.WriteAllTextAsync(InstallStamp, lockHash, cancellationToken);
    }

    /// <summary>Hash of what the build reads: sources, configuration and the lock file (generated folders and tests left out).</summary>
    public string InputHash() =>
        InputFingerprint.Compute(Directory, GeneratedDirectories, file => file.Contains(".test.", StringComparison.Ordinal));

    /// <summary>The output exists and was built from exactly the current inputs.</summary>
    public bool IsUpToDate() =>
        OutputDirectory is not null && System.IO.Directory.Exists(OutputDirectory) && File.Exists(BuildStamp) &&
        File.ReadAllText(BuildStamp) == InputHash();

    /// <summary>install → build scripts → fresh output folder with the output entries and production dependencies.</summary>
    public async Task BuildAsync(ToolRunner tools, CancellationToken cancellationToken)
    {
        if (OutputDirectory is null)
            throw new InvalidOperationException($"{Name} has no output directory.");
        var inputs = InputHash();
        await NodeToolchain.EnsureAsync(tools, cancellationToken);
        await InstallAsync(tools, cancellationToken);
        foreach (var script in BuildScripts)
            await tools.RunAsync(WithSourceHash(NodeToolchain.Npm(Directory, "run", script), inputs), cancellationToken);

        if (File.Exists(BuildStamp))
            File.Delete(BuildStamp);
        var staging = OutputDirectory + ".partial";
        if (System.IO.Directory.Exists(staging))
            System.IO.Directory.Delete(staging, recursive: true);
        System.IO.Directory.CreateDirectory(staging);
        foreach (var entry in OutputEntries)
            CopyEntry(Path.Combine(Directory, entry), Path.Combine(staging, entry));
        // Production dependencies only, exactly as locked (npm's cache makes this a local copy after the first install).
        await tools.RunAsync(NodeToolchain.Npm(staging, "ci", "--omit=dev", "--ignore-scripts"), cancellationToken);

        if (System.IO.Directory.Exists(OutputDirectory))
            System.IO.Directory.Delete(OutputDirectory, recursive: true);
        System.IO.Directory.Move(staging, OutputDirectory);
        await File.WriteAllTextAsync(BuildStamp, inputs, cancellationToken);
    }

    /// <summary>
    /// The build scripts see the hash of their inputs as MESHHOOK_SOURCE_HASH: a build names its version from it (the web
    /// app's kit.version.name) instead of the clock, so two builds of the same sources are byte-identical.
    /// </summary>
    public const string SourceHashVariable = "MESHHOOK_SOURCE_HASH";

    static ToolCommand WithSourceHash(ToolCommand command, string inputs) =>
        command with { Environment = new Dictionary<string, string?>(command.Environment) { [SourceHashVariable] = inputs } };

    /// <summary>Node checked, dependencies installed, and the test command for a JUnit report in <paramref name="resultsDirectory"/>.</summary>
    public async Task<ToolCommand> PrepareTestAsync(ToolRunner tools, string resultsDirectory, CancellationToken cancellationToken)
    {
        await NodeToolchain.EnsureAsync(tools, cancellationToken);
        await InstallAsync(tools, cancellationToken);
        return Test(Path.Combine(resultsDirectory, Name + ".junit.xml"));
    }

    /// <summary>
    /// The package's node:test suite with a JUnit report written to <paramref name="junitReport"/> next to the live output.
    /// </summary>
    public ToolCommand Test(string junitReport) =>
        NodeToolchain.Npm(Directory, "test") with
        {
            ThrowOnFailure = false,
            Timeout = TimeSpan.FromMinutes(10),
            Environment = new Dictionary<string, string?>(NodeToolchain.Npm(Directory).Environment)
            {
                // Quoted: NODE_OPTIONS splits on spaces, and the repository's path may contain some.
                ["NODE_OPTIONS"] = $"--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=\"{junitReport}\"",
            },
        };

    string LockFileHash()
    {
        var lockFile = Path.Combine(Directory, "package-lock.json");
        if (!File.Exists(lockFile))
            throw new UserFacingException($"{lockFile} is missing: run 'npm install' in {Directory} once and commit package-lock.json.");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(lockFile)));
    }

    static void CopyEntry(string source, string destination)
    {
        if (File.Exists(source))
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
            return;
        }
        if (!System.IO.Directory.Exists(source))
            throw new UserFacingException($"The build did not produce {source}.");
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
