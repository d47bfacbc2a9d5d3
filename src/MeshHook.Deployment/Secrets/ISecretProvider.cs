namespace MeshHook.Deployment.Secrets;

/// <summary>
/// Where an environment's secret values come from (<c>secrets.provider</c> of environment.json). Every value a provider
/// returns has been registered with the build's <see cref="MeshHook.Tooling.SecretMasker"/> first, so it never reaches the
/// console, a journal, a log file or a notification.
/// </summary>
public interface ISecretProvider
{
    /// <summary>Where the values are, for messages: "the encrypted file .deploy/local/secrets.json".</summary>
    string Description { get; }

    /// <summary>The value of the secret <paramref name="name"/>, already registered with the masker.</summary>
    /// <exception cref="SecretException">It is not set or cannot be read; the message says how to set it.</exception>
    Task<string> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>How a person sets the secret: the exact command or the variable to set.</summary>
    string HowToSet(string name);
}
