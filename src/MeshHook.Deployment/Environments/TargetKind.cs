using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Environments;

/// <summary>Where an environment's releases run (<c>target.kind</c>).</summary>
public enum TargetKind
{
    /// <summary>This machine: releases side by side under .deploy/&lt;env&gt;/, an edge port switched between them.</summary>
    [JsonStringEnumMemberName("local")]
    Local,

    /// <summary>Azure Container Apps (web and workers apps, images in Azure Container Registry); created by infra/.</summary>
    [JsonStringEnumMemberName("containerApps")]
    ContainerApps,

    /// <summary>Your own servers over SSH: per host the local layout under target.deployPath, an edge per host, a rolling switch.</summary>
    [JsonStringEnumMemberName("ssh")]
    Ssh,
}
