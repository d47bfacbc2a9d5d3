namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// Where the local environment keeps its state, under <c>&lt;repository&gt;/.deploy/local/</c> (git-ignored):
/// releases/&lt;id&gt;/, the current symlink, shared/ (0600 env file, logs), run/ (process records), the journal, the lock,
/// the edge's state and the embedded database.
/// </summary>
public sealed record LocalLayout(string Root)
{
    public static LocalLayout For(string repositoryRoot, string environment = "local") =>
        new(Path.Combine(repositoryRoot, ".deploy", environment));

    public string Releases => Path.Combine(Root, "releases");
    public string Current => Path.Combine(Root, "current");
    public string Shared => Path.Combine(Root, "shared");
    public string EnvironmentFile => Path.Combine(Shared, "env");
    public string Journal => Path.Combine(Root, "journal.jsonl");
    public string Lock => Path.Combine(Root, "deploy.lock");
    public string EdgeState => Path.Combine(Root, "edge.json");
    public string Database => Path.Combine(Root, "database");
    public string Edge => Path.Combine(Root, "edge");

    public string ReleaseDirectory(string id) => Path.Combine(Releases, id);

    /// <summary>The state folder and shared/ exist and only their owner may enter them (0700), before a lock or log is made there.</summary>
    public void EnsurePrivate()
    {
        Processes.PrivateDirectory.Ensure(Root);
        Processes.PrivateDirectory.Ensure(Shared);
    }

    // A release's processes are named with their port: a forced redeploy of the same release starts beside the old ones.
    public static string WebProcess(string release, int port) => $"web-{release}-{port}";
    public static string WorkerProcess(string release, int port) => $"worker-{release}-{port}";
    public const string EdgeProcess = "edge";
    public const string DatabaseProcess = "database";

    /// <summary>The release <c>current</c> points at, or null when there is none (or it dangles).</summary>
    public string? CurrentRelease()
    {
        var info = new FileInfo(Current);
        if (info.LinkTarget is not { } target)
            return null;
        var resolved = Path.GetFullPath(target, Root);
        return Directory.Exists(resolved) ? Path.GetFileName(resolved) : null;
    }

    /// <summary>Releases unpacked here, oldest first.</summary>
    public IReadOnlyList<string> StagedReleases() =>
        Directory.Exists(Releases)
            ? Directory.GetDirectories(Releases).Select(Path.GetFileName).OfType<string>()
                .Where(x => !x.EndsWith(".partial", StringComparison.Ordinal) && global::MeshHook.Deployment.Releases.ReleaseId.IsValid(x))
                .Order(StringComparer.Ordinal).ToList()
            : [];
}
