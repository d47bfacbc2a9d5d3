using System.Globalization;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Environments.Reading;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>
/// <c>./build.sh Secrets --environment &lt;env&gt; --set NAME | --list | --remove NAME</c>. The environment's secrets
/// provider decides where: the encrypted file store for <c>file</c>, the environment's Key Vault for <c>keyvault</c>; for
/// <c>env</c> nothing is stored here, and the command says how to set the variable instead. Values are never printed.
/// </summary>
/// <param name="openVault">Opens a keyvault environment's vault; by default with <see cref="SecretProviders.KeyVault"/> (the
/// Azure sign-in from <paramref name="variables"/>).</param>
public sealed class SecretsCommand(string repositoryRoot, IReadOnlyDictionary<string, string> variables, SecretMasker masker,
    Action<string> output, TimeProvider? time = null, Func<EnvironmentConfiguration, KeyVaultSecretProvider>? openVault = null)
{
    public const string Usage = "--set NAME (the value is read from standard input), --list, or --remove NAME";

    /// <param name="readValue">Reads the value of the named secret (standard input; see <see cref="SecretInput"/>).</param>
    /// <exception cref="UserFacingException">Not exactly one action, an invalid environment file, or a refused secret.</exception>
    public void Run(EnvironmentName environment, string? set, bool list, string? remove, Func<string, string> readValue)
    {
        var chosen = new[] { set is not null ? "--set" : null, list ? "--list" : null, remove is not null ? "--remove" : null }
            .OfType<string>().ToList();
        if (chosen.Count != 1)
            throw new SecretException(chosen.Count == 0
                ? $"Secrets needs one action: {Usage}."
                : $"Secrets does one action at a time, got {string.Join(" and ", chosen)}: give exactly one of {Usage}.");

        var configuration = EnvironmentConfiguration.Load(repositoryRoot, environment);
        switch (configuration.Secrets.Provider)
        {
            case SecretProviderKind.File:
                var store = SecretStore.Open(repositoryRoot, environment, variables, masker, time);
                if (set is not null)
                    Set(configuration, store, set, readValue);
                else if (list)
                    List(configuration, store);
                else
                    Remove(configuration, store, remove!);
                break;
            case SecretProviderKind.Env:
                var provider = new EnvironmentVariableSecretProvider(environment, configuration.Secrets.Prefix, variables, masker);
                if (list)
                    ListVariables(configuration, provider);
                else
                    throw new SecretException(
                        $"{environment.ToText()}'s secrets come from environment variables (secrets.provider is env in {configuration.File}); " +
                        $"nothing is stored by ./build.sh Secrets. {Capitalize(provider.HowToSet(set ?? remove!))}" +
                        (set is not null ? " (e.g. a GitHub environment secret mapped into the job's env)." : ", or unset it there."));
                break;
            case SecretProviderKind.KeyVault:
                var vault = openVault?.Invoke(configuration) ?? SecretProviders.KeyVault(configuration, variables, masker, time);
                if (set is not null)
                    SetInVault(configuration, vault, set, readValue);
                else if (list)
                    ListVault(configuration, vault);
                else
                    RemoveFromVault(configuration, vault, remove!);
                break;
        }
    }

    void Set(EnvironmentConfiguration configuration, SecretStore store, string name, Func<string, string> readValue)
    {
        SecretStore.ThrowOnInvalidName(name);
        var referenced = Referenced(configuration);
        if (!referenced.Contains(name))
            output($"Note: {configuration.File} does not refer to {name} (it refers to: {Names(referenced)})." + NameSuggestions.DidYouMean(name, referenced));
        // Find a missing or misplaced key before anyone types a value.
        if (store.EnsureKey())
            output($"Created a new key at {store.Key.KeyFile} (mode 0600). Keep it safe: without it the stored secrets cannot be read.");
        var value = readValue(name);
        if (string.IsNullOrEmpty(value))
            throw new SecretException($"No value for {name} was given on standard input; nothing was stored.");
        store.Set(name, value);
        output($"Stored {name} for {configuration.Name.ToText()} in {SecretStore.RelativePath(configuration.Name)} (AES-256-GCM, key from {store.Key.Source}).");
    }

    void List(EnvironmentConfiguration configuration, SecretStore store)
    {
        var relative = SecretStore.RelativePath(configuration.Name);
        var stored = store.List();
        if (stored.Count == 0)
            output($"No secrets stored for {configuration.Name.ToText()} ({relative} {(File.Exists(store.FilePath) ? "is empty" : "does not exist yet")}).");
        else
        {
            var width = Math.Max("NAME".Length, stored.Max(x => x.Name.Length));
            output($"Secrets of {configuration.Name.ToText()} in {relative} (values are never shown):");
            output($"{"NAME".PadRight(width)}  LAST SET (UTC)");
            foreach (var secret in stored)
                output($"{secret.Name.PadRight(width)}  {secret.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}");
        }

        var referenced = Referenced(configuration);
        var missing = referenced.Where(x => stored.All(s => s.Name != x)).ToList();
        if (missing.Count > 0)
            output($"Not set but referenced by {configuration.File}: {Names(missing)}. Set each with: {SecretStore.SetCommand(configuration.Name, "NAME")}");
        var unused = stored.Where(x => !referenced.Contains(x.Name)).Select(x => x.Name).ToList();
        if (unused.Count > 0)
            output($"Stored but not referenced by {configuration.File}: {Names(unused)}.");
    }

    void Remove(EnvironmentConfiguration configuration, SecretStore store, string name)
    {
        var relative = SecretStore.RelativePath(configuration.Name);
        if (!store.Remove(name))
        {
            var stored = store.List().Select(x => x.Name).ToList();
            throw new SecretException($"{name} is not stored for {configuration.Name.ToText()} in {relative} (stored: {Names(stored)})." +
                                      NameSuggestions.DidYouMean(name, stored));
        }
        output($"Removed {name} from {relative}.");
        if (Referenced(configuration).Contains(name))
            output($"Note: {configuration.File} still refers to {name}: deploying {configuration.Name.ToText()} fails until it is set again.");
    }

    void ListVariables(EnvironmentConfiguration configuration, EnvironmentVariableSecretProvider provider)
    {
        output($"Secrets of {configuration.Name.ToText()} come from {provider.Description} (values are never shown):");
        foreach (var name in Referenced(configuration))
            output($"{name}: {provider.VariableFor(name)} is {(provider.IsSet(name) ? "set" : "NOT set")}");
    }

    void SetInVault(EnvironmentConfiguration configuration, KeyVaultSecretProvider vault, string name, Func<string, string> readValue)
    {
        SecretStore.ThrowOnInvalidName(name);
        var referenced = Referenced(configuration);
        if (!referenced.Contains(name))
            output($"Note: {configuration.File} does not refer to {name} (it refers to: {Names(referenced)})." + NameSuggestions.DidYouMean(name, referenced));
        var value = readValue(name);
        if (string.IsNullOrEmpty(value))
            throw new SecretException($"No value for {name} was given on standard input; nothing was stored.");
        var stored = vault.Set(name, value);
        output($"Stored {name} for {configuration.Name.ToText()} in Key Vault {vault.VaultName} as {stored.Name} (version {stored.Version}).");
    }

    void ListVault(EnvironmentConfiguration configuration, KeyVaultSecretProvider vault)
    {
        var referenced = Referenced(configuration);
        var byVaultName = referenced.ToDictionary(KeyVaultSecretProvider.NameInVault, x => x, StringComparer.Ordinal);
        var held = vault.List();
        var now = (time ?? TimeProvider.System).GetUtcNow();
        if (held.Count == 0)
            output($"No secrets in {vault.Description}.");
        else
        {
            var rows = held.Select(x => (
                Name: byVaultName.GetValueOrDefault(x.Name) ?? "-",
                InVault: x.Name,
                Updated: x.UpdatedOn is { } updated ? KeyVaultSecretProvider.Format(updated) : "-",
                Expires: (x.ExpiresOn is { } expires ? KeyVaultSecretProvider.Format(expires) + (expires <= now ? " (expired)" : "") : "never") +
                         (x.Enabled == false ? " (disabled)" : ""))).ToList();
            var nameWidth = Math.Max("NAME".Length, rows.Max(x => x.Name.Length));
            var vaultWidth = Math.Max("IN VAULT".Length, rows.Max(x => x.InVault.Length));
            output($"Secrets of {configuration.Name.ToText()} in {vault.Description} (values are never shown):");
            output($"{"NAME".PadRight(nameWidth)}  {"IN VAULT".PadRight(vaultWidth)}  {"UPDATED (UTC)",-19}  EXPIRES (UTC)");
            foreach (var row in rows)
                output($"{row.Name.PadRight(nameWidth)}  {row.InVault.PadRight(vaultWidth)}  {row.Updated,-19}  {row.Expires}");
        }

        var missing = referenced.Where(x => held.All(s => s.Name != KeyVaultSecretProvider.NameInVault(x))).ToList();
        if (missing.Count > 0)
            output($"Not set but referenced by {configuration.File}: {Names(missing)}. Set each with: {SecretStore.SetCommand(configuration.Name, "NAME")}");
        var unused = held.Where(x => !byVaultName.ContainsKey(x.Name)).Select(x => x.Name).ToList();
        if (unused.Count > 0)
            output($"In the vault but not referenced by {configuration.File}: {Names(unused)}.");
    }

    void RemoveFromVault(EnvironmentConfiguration configuration, KeyVaultSecretProvider vault, string name)
    {
        var inVault = KeyVaultSecretProvider.NameInVault(name);
        if (vault.StartRemove(name) is not { } deleted)
            throw new SecretException($"{name} is not in {vault.Description} (no secret {inVault}); nothing was removed.");
        var until = deleted.ScheduledPurgeDate is { } purge
            ? $"until {KeyVaultSecretProvider.Format(purge)} UTC" + (deleted.Properties.RecoverableDays is { } days ? $" (the vault's retention, {days} days)" : "")
            : "for the vault's soft-delete retention";
        output($"Deleted {name} (vault secret {inVault}) from Key Vault {vault.VaultName}. Soft-delete keeps it recoverable {until}: " +
               $"recover it with az keyvault secret recover --vault-name {vault.VaultName} --name {inVault}; remove it for good with " +
               $"az keyvault secret purge --vault-name {vault.VaultName} --name {inVault} (refused while the vault has purge protection). " +
               "Until it is recovered or purged, a secret of that name cannot be set again.");
        if (Referenced(configuration).Contains(name))
            output($"Note: {configuration.File} still refers to {name}: deploying {configuration.Name.ToText()} fails until it is set again.");
    }

    static List<string> Referenced(EnvironmentConfiguration configuration) =>
        configuration.SecretReferences.Select(x => x.Secret.Name).Distinct().Order(StringComparer.Ordinal).ToList();

    static string Names(IReadOnlyCollection<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
