using System.Text;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Journal;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Reporting;

/// <summary>
/// The Report verb: reads an environment's journal, lock and current release (through their own readers), the commit
/// times from git, and makes the <see cref="DeploymentReport"/>; writes it as <c>&lt;directory&gt;/&lt;env&gt;.html</c>.
/// A local environment is read from its files; any other from its target's journal (<see cref="JournalOfTarget"/>: the
/// append blob of a cloud environment), its serving release being the journal's last successful deployment.
/// </summary>
public sealed class EnvironmentReport(string repositoryRoot, ReleaseStore store, ToolRunner tools, TimeProvider time)
{
    /// <summary>The journal of a non-local environment's target (made only when such an environment is reported).</summary>
    public Func<IDeploymentJournal>? JournalOfTarget { get; init; }

    public async Task<DeploymentReport> CreateAsync(EnvironmentName environment, string? since, CancellationToken cancellationToken)
    {
        var window = ReportWindow.Parse(since, time.GetUtcNow());
        var configuration = EnvironmentConfiguration.Load(repositoryRoot, environment);
        var name = configuration.Name.ToText();
        if (configuration.Target.Kind != TargetKind.Local)
            return await CreateFromTargetAsync(name, window, cancellationToken);

        var layout = LocalLayout.For(repositoryRoot, name);
        var warnings = new List<string>();
        var records = new DeploymentJournal(layout.Journal, tools.Masker).ReadDeployments(warnings);
        var environmentLock = new EnvironmentLock(layout.Lock, time);
        var holder = environmentLock.ReadHolder();
        var manifests = new Dictionary<string, ReleaseManifest?>(StringComparer.Ordinal);
        ReleaseManifest? ManifestOf(string id) => manifests.TryGetValue(id, out var known) ? known : manifests[id] = FindManifest(layout, id);

        var timeline = TimelineReader.Read(records, ManifestOf, tools.Masker, holder?.DeploymentId);
        var commitTimes = await GitCommitTimes.ReadAsync(tools, repositoryRoot,
            timeline.Where(x => x.IsDeploy && x.Category == OutcomeCategory.Success).Select(x => x.Commit), cancellationToken);
        var serving = layout.CurrentRelease();
        var current = new CurrentState
        {
            ServingRelease = serving,
            ServingVersion = serving is null ? null : ManifestOf(serving)?.Version,
            LockHolder = holder is null ? null : tools.Masker.Apply(holder.Describe()),
            LockIsStale = holder is not null && environmentLock.IsStale(holder),
        };
        return DeploymentReport.Create(name, timeline, window, commitTimes, current, warnings);
    }

    async Task<DeploymentReport> CreateFromTargetAsync(string name, ReportWindow window, CancellationToken cancellationToken)
    {
        if (JournalOfTarget is null)
            throw new UserFacingException($"{name}'s deployment journal lives with its target, and no reader of it was given. Nothing was written.");
        var warnings = new List<string>();
        var records = await JournalOfTarget().ReadDeploymentsAsync(cancellationToken, warnings);
        var manifests = new Dictionary<string, ReleaseManifest?>(StringComparer.Ordinal);
        ReleaseManifest? ManifestOf(string id) => manifests.TryGetValue(id, out var known) ? known : manifests[id] = FindManifest(null, id);
        var timeline = TimelineReader.Read(records, ManifestOf, tools.Masker, lockedBy: null);
        var commitTimes = await GitCommitTimes.ReadAsync(tools, repositoryRoot,
            timeline.Where(x => x.IsDeploy && x.Category == OutcomeCategory.Success).Select(x => x.Commit), cancellationToken);
        var serving = records.LastOrDefault(x => x.Succeeded)?.Release;
        var current = new CurrentState { ServingRelease = serving, ServingVersion = serving is null ? null : ManifestOf(serving)?.Version, LockNotRead = true };
        return DeploymentReport.Create(name, timeline, window, commitTimes, current, warnings);
    }

    /// <summary>Writes the page (whole or not at all: a reader never sees half a file) and returns its path.</summary>
    public static string WritePage(DeploymentReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, report.Environment + ".html");
        var partial = path + ".partial";
        File.WriteAllText(partial, ReportPage.Render(report), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>The manifest of a release: unpacked in the environment, else in the release store; null when neither has it.</summary>
    ReleaseManifest? FindManifest(LocalLayout? layout, string id)
    {
        if (!ReleaseId.IsValid(id))
            return null;
        foreach (var path in new[] { layout is null ? null : Path.Combine(layout.ReleaseDirectory(id), ReleaseManifest.FileName), Path.Combine(store.Directory, id, ReleaseManifest.FileName) }.OfType<string>())
        {
            try
            {
                if (File.Exists(path))
                    return ReleaseManifest.Load(path);
            }
            catch (ReleaseException)
            {
                // A damaged manifest only costs the version column.
            }
        }
        return null;
    }
}
