using MeshHook.Tooling;
using MeshHook.Build.Engine;
using MeshHook.Deployment.Secrets;

/// <summary>Secrets: set, list and remove the secrets of --environment (where: its environment.json's secrets provider).</summary>
partial class Build
{
    [Parameter("Secrets: store the secret NAME of --environment; the value is read from standard input (not echoed at a terminal)", FromEnvironment = false)]
    readonly string? Set;

    [Parameter("Secrets: list the secrets of --environment and when each was last set (never the values)", FromEnvironment = false)]
    readonly bool List;

    [Parameter("Secrets: remove the secret NAME of --environment", FromEnvironment = false)]
    readonly string? Remove;

    Target Secrets => _ => _
        .Description("Sets (--set NAME, value from standard input), lists (--list) or removes (--remove NAME) a secret of --environment")
        .Executes(() => new SecretsCommand(RootDirectory, BuildContext.Current.Environment, SecretMasker, Log.Information)
            .Run(Environment, Set, List, Remove, SecretInput.ReadFromConsole));
}
