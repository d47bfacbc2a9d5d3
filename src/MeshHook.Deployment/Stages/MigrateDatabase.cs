namespace MeshHook.Deployment.Stages;

/// <summary>
/// Apply the release's migrations with the Supabase CLI. <see cref="DatabaseUrl"/> holds no password (or is a
/// <c>${NAME}</c> placeholder resolved only when the step runs): the runner hands the password to the CLI through its
/// environment, never its command line.
/// </summary>
public sealed record MigrateDatabase(string SupabaseCli, string Workdir, string DatabaseUrl) : DeployStep
{
    public override string Describe() =>
        $"run supabase db push --workdir {Workdir} against {DatabaseUrl} (password in the CLI's environment, never on its command line)";
}
