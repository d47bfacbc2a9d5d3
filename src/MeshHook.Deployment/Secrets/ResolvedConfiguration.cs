using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// An environment's configuration with every secret resolved (and registered with the masker by the provider): the
/// variables a release's processes run with. Besides the <c>configuration</c> map it holds MESHHOOK_ENVIRONMENT (the
/// environment's name), ORIGIN (from <c>url</c>) and, for an external database, DATABASE_URL. The deployer adds what only it
/// knows (MESHHOOK_RELEASE, PORT, HOST, an embedded database's DATABASE_URL) with <see cref="With"/>, then writes the env
/// file with <see cref="WriteEnvFile"/>.
/// </summary>
public sealed class ResolvedConfiguration
{
    readonly SortedDictionary<string, string> _values;
    readonly SortedSet<string> _secretKeys;

    ResolvedConfiguration(EnvironmentName environment, SortedDictionary<string, string> values, SortedSet<string> secretKeys)
    {
        Environment = environment;
        _values = values;
        _secretKeys = secretKeys;
    }

    public EnvironmentName Environment { get; }

    /// <summary>Every variable, sorted by name. Secret values are in here: pass them to processes, never print them.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The names whose values are secrets.</summary>
    public IReadOnlyCollection<string> SecretKeys => _secretKeys;

    public string this[string key] => _values[key];

    /// <summary>
    /// Resolves every secret of the configuration (and the external database's url) through <paramref name="secrets"/>;
    /// all missing or unreadable secrets are reported together, each with the key that refers to it and how to set it.
    /// </summary>
    /// <exception cref="SecretException">One or more secrets could not be resolved.</exception>
    public static async Task<ResolvedConfiguration> ResolveAsync(EnvironmentConfiguration environment, ISecretProvider secrets,
        CancellationToken cancellationToken)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["MESHHOOK_ENVIRONMENT"] = environment.Name.ToText(),
            ["ORIGIN"] = environment.Origin,
        };
        var secretKeys = new SortedSet<string>(StringComparer.Ordinal);
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<(string Path, string Message)>();

        var wanted = environment.Configuration.Select(x => (Path: $"configuration.{x.Key}", Key: x.Key, x.Value.Text, x.Value.Secret)).ToList();
        if (environment.Database.Url is { } url)
            wanted.Add(("database.url", "DATABASE_URL", null, url));

        foreach (var (path, key, text, secret) in wanted)
        {
            if (secret is null)
            {
                values[key] = text!;
                continue;
            }
            if (!resolved.TryGetValue(secret.Name, out var value))
            {
                try
                {
                    value = await secrets.GetAsync(secret.Name, cancellationToken);
                    resolved[secret.Name] = value;
                }
                catch (SecretException exception)
                {
                    problems.Add((path, exception.Message));
                    continue;
                }
            }
            if (value.IndexOfAny(['\n', '\r', '\0']) >= 0)
            {
                problems.Add((path, $"the value of secret {secret.Name} contains a line break or NUL character; an env file cannot hold it. " +
                                    $"Store it on one line: {secrets.HowToSet(secret.Name)}."));
                continue;
            }
            values[key] = value;
            secretKeys.Add(key);
        }

        if (problems.Count > 0)
        {
            // One cause for many keys (e.g. a provider that is not available) is said once.
            var lines = problems.GroupBy(x => x.Message).Select(x => $"  {string.Join(", ", x.Select(p => p.Path))}: {x.Key}");
            throw new SecretException(
                $"{problems.Count} secret reference(s) of {environment.Name.ToText()} could not be resolved from {secrets.Description} " +
                $"({environment.File}):{System.Environment.NewLine}{string.Join(System.Environment.NewLine, lines)}");
        }
        return new ResolvedConfiguration(environment.Name, values, secretKeys);
    }

    /// <summary>A copy with one more (or a replaced) variable; checked as the env file will check it.</summary>
    /// <exception cref="EnvFileException">The key or value cannot be written to an env file.</exception>
    public ResolvedConfiguration With(string key, string value, bool isSecret = false)
    {
        EnvFile.Format([new(key, value)]);
        var values = new SortedDictionary<string, string>(_values, StringComparer.Ordinal) { [key] = value };
        var secretKeys = new SortedSet<string>(_secretKeys, StringComparer.Ordinal);
        if (isSecret)
            secretKeys.Add(key);
        else
            secretKeys.Remove(key);
        return new ResolvedConfiguration(Environment, values, secretKeys);
    }

    /// <summary>Writes <c>KEY='value'</c> lines to <paramref name="path"/>, mode 0600, atomically (see <see cref="EnvFile"/>).</summary>
    public void WriteEnvFile(string path) => EnvFile.Write(path, _values);

    /// <summary>Names and plain values; secret values shown as ***.</summary>
    public override string ToString() =>
        string.Join(", ", _values.Select(x => _secretKeys.Contains(x.Key) ? $"{x.Key}=***" : $"{x.Key}={x.Value}"));
}
