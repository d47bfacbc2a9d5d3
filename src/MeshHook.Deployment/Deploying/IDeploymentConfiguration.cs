namespace MeshHook.Deployment.Deploying;

/// <summary>The configuration an environment deploys with, resolved (secrets included) only when a deploy runs.</summary>
public interface IDeploymentConfiguration
{
    /// <summary>The keys a release gets (names only: plans and dry runs show these, never values).</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>The keys whose values are secrets (a target masks them in logs, or stores them as platform secrets).</summary>
    IReadOnlyList<string> SecretKeys { get; }

    /// <summary>Resolves every value (secrets registered with the masker) and writes the 0600 env file.</summary>
    Task WriteEnvironmentFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>One resolved value, e.g. DATABASE_URL for migrations against an external database.</summary>
    string? Value(string key);
}
