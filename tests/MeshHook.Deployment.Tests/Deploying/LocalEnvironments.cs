namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>The tests that run real local environments (serialized with each other, parallel to the rest).</summary>
[CollectionDefinition(Name)]
public sealed class LocalEnvironments
{
    public const string Name = "local environments";
}
