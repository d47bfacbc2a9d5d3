using System.Security.Cryptography;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Deploying;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// An environment's configuration as a deploy uses it: resolved on first use (secrets fetched and registered with the
/// masker only when a deploy really runs, never for a dry run or a no-op), then written to the 0600 env file.
/// On the local environment a secret that was never set is generated once and stored, so a newcomer's first deploy works.
/// </summary>
public sealed class DeploymentConfiguration(EnvironmentConfiguration environment, ISecretProvider secrets, DeploymentLog log) : IDeploymentConfiguration
{
    ResolvedConfiguration? _resolved;

    /// <summary>The embedded database's password, generated once per environment into its secret store.</summary>
    public const string EmbeddedDatabasePassword = "EMBEDDED_DATABASE_PASSWORD";

    public IReadOnlyList<string> Keys =>
        new[] { "MESHHOOK_ENVIRONMENT", "ORIGIN" }.Concat(environment.Configuration.Keys)
            .Concat(environment.Database.Url is null ? [] : ["DATABASE_URL"])
            .Concat(environment.Database.Kind == DatabaseKind.Embedded ? ["PGPASSWORD"] : []).Distinct().ToList();

    /// <summary>The env file's keys whose values are secrets (names only; the launcher masks their values in logs).</summary>
    public IReadOnlyList<string> SecretKeys =>
        environment.Configuration.Where(x => x.Value.Secret is not null).Select(x => x.Key)
            .Concat(environment.Database.Url is null ? [] : ["DATABASE_URL"])
            .Concat(environment.Database.Kind == DatabaseKind.Embedded ? ["PGPASSWORD"] : []).Distinct().ToList();

    public async Task WriteEnvironmentFileAsync(string path, CancellationToken cancellationToken) =>
        (await ResolveAsync(cancellationToken)).WriteEnvFile(path);

    public string? Value(string key) =>
        _resolved is null
            ? throw new InvalidOperationException("The configuration is resolved when the env file is written.")
            : _resolved.Values.GetValueOrDefault(key);

    async Task<ResolvedConfiguration> ResolveAsync(CancellationToken cancellationToken)
    {
        if (_resolved is not null)
            return _resolved;
        if (environment.Name == EnvironmentName.Local && secrets is SecretStore store)
            GenerateMissing(store);
        var resolved = await ResolvedConfiguration.ResolveAsync(environment, secrets, cancellationToken);
        // The embedded database's URL (set by the deployer) has no password: the apps' and the migrations' clients read
        // it from PGPASSWORD, which only the 0600 env file holds.
        if (environment.Database.Kind == DatabaseKind.Embedded)
            resolved = resolved.With("PGPASSWORD", await EmbeddedPasswordAsync(cancellationToken), isSecret: true);
        return _resolved = resolved;
    }

    async Task<string> EmbeddedPasswordAsync(CancellationToken cancellationToken)
    {
        if (secrets is SecretStore store && !store.Contains(EmbeddedDatabasePassword))
        {
            store.Set(EmbeddedDatabasePassword, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
            log.Information($"Generated the embedded database's password for {environment.Name.ToText()} into {SecretStore.RelativePath(environment.Name)}.");
        }
        return await secrets.GetAsync(EmbeddedDatabasePassword, cancellationToken);
    }

    void GenerateMissing(SecretStore store)
    {
        foreach (var name in environment.SecretReferences.Select(x => x.Secret.Name).Distinct().Where(x => !store.Contains(x)))
        {
            store.Set(name, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
            log.Warning($"Generated a random {name} for the local environment and stored it in {SecretStore.RelativePath(environment.Name)}; " +
                        $"set your own with {SecretStore.SetCommand(environment.Name, name)}.");
        }
    }
}
