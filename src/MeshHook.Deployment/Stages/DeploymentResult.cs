namespace MeshHook.Deployment.Stages;

/// <summary>How a deploy or rollback that ran ended: its journal id, outcome and duration.</summary>
public sealed record DeploymentResult(string DeploymentId, string Outcome, string ReleaseId, TimeSpan Duration, DeploymentKind Kind);
