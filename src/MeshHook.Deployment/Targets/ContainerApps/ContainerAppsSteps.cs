using MeshHook.Deployment.Stages;

namespace MeshHook.Deployment.Targets.ContainerApps;

/// <summary>A new revision of <paramref name="App"/> running <paramref name="Image"/>, at 0 % traffic, with a label.</summary>
public sealed record CreateRevision(string App, string Image, string Suffix, string? Label) : DeployStep
{
    public override string Describe() =>
        $"create revision {App}--{Suffix} of {App} from {Image} at 0 % traffic{(Label is null ? "" : $" with label {Label}")}";
}

/// <summary>Wait until a revision is provisioned and running (fails at once when it failed or is degraded).</summary>
public sealed record WaitForRevision(string App, string Revision, TimeSpan Timeout) : DeployStep
{
    public override string Describe() => $"wait up to {Timeout.TotalSeconds:0} s for revision {Revision} of {App} to be provisioned and running";
}

/// <summary>Poll the revision's label URL (<c>https://{app}---{label}.{environment domain}</c>) until its health reports the release.</summary>
public sealed record VerifyRevisionUrl(string App, string Label, string ReleaseId) : DeployStep
{
    public override string Describe() => $"poll https://{App}---{Label}.<environment domain>/health until status is ok and version is {ReleaseId}";
}

/// <summary>
/// Give <paramref name="Revision"/> <paramref name="Weight"/> % of the traffic (all of it at 100) in one update; the
/// revision that served until now keeps the rest and the label <paramref name="PreviousLabel"/> (instant rollback).
/// </summary>
public sealed record ShiftTraffic(string App, string Revision, int Weight, string? PreviousLabel) : DeployStep
{
    public override string Describe() =>
        $"shift {Weight} % of the traffic of {App} to {Revision}{(PreviousLabel is null ? "" : $"; the revision serving now keeps label {PreviousLabel}")}";
}

/// <summary>Deactivate the active revisions of an app except <paramref name="Keep"/> and any that receives traffic.</summary>
public sealed record DeactivateRevisions(string App, IReadOnlyList<string> Keep) : DeployStep
{
    public override string Describe() => $"deactivate the active revisions of {App} other than {string.Join(", ", Keep)} (retention)";
}

/// <summary>Activate an inactive revision again (a rollback to a release whose revision still exists).</summary>
public sealed record ActivateRevision(string App, string Revision) : DeployStep
{
    public override string Describe() => $"activate revision {Revision} of {App}";
}

/// <summary>
/// Take one revision out of service: drop its (0 %) traffic entry and label, then deactivate it. Refuses a revision that
/// still receives traffic, so it can never take the environment down.
/// </summary>
public sealed record DeactivateRevision(string App, string Revision) : DeployStep
{
    public override string Describe() => $"deactivate revision {Revision} of {App} (its label removed first)";
}

/// <summary>
/// Poll the environment URL's health until <c>details.workers.releases</c> lists <paramref name="ReleaseId"/> (workers of
/// the release heartbeat). A web that does not report its workers passes with a note.
/// </summary>
public sealed record VerifyWorkersRelease(Uri HealthUrl, string ReleaseId) : DeployStep
{
    public override string Describe() => $"poll {HealthUrl} until details.workers.releases lists {ReleaseId} (workers of the release heartbeat)";
}
