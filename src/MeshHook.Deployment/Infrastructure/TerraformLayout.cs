using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>
/// Where Terraform's inputs and outputs live: the configuration in <c>infra/</c> (one folder per environment under
/// <c>infra/environments/</c>), the saved plans in <c>artifacts/terraform/&lt;env&gt;/</c>, and Terraform's own data
/// (providers, backend settings) in a scratch folder per environment, so switching environments never mixes backends.
/// </summary>
public sealed class TerraformLayout(string root, string dataRoot)
{
    public const string PlanFileName = "tfplan";
    public const string PlanRecordFileName = "tfplan.record.json";

    public string Root { get; } = Path.GetFullPath(root);

    public string InfraDirectory => Path.Combine(Root, "infra");

    public string DataRoot { get; } = Path.GetFullPath(dataRoot);

    /// <summary>The folder name of an environment (dev, staging, production).</summary>
    public static string FolderName(EnvironmentName environment) => environment.ToText();

    /// <summary>Relative to <see cref="InfraDirectory"/> (the form passed to terraform -chdir=infra).</summary>
    public static string BackendConfigArgument(EnvironmentName environment) =>
        $"environments/{FolderName(environment)}/backend.hcl";

    /// <summary>Relative to <see cref="InfraDirectory"/>.</summary>
    public static string VarFileArgument(EnvironmentName environment) =>
        $"environments/{FolderName(environment)}/terraform.tfvars";

    public string EnvironmentDirectory(EnvironmentName environment) =>
        Path.Combine(InfraDirectory, "environments", FolderName(environment));

    public string BackendConfig(EnvironmentName environment) => Path.Combine(EnvironmentDirectory(environment), "backend.hcl");

    public string VarFile(EnvironmentName environment) => Path.Combine(EnvironmentDirectory(environment), "terraform.tfvars");

    public string PlanDirectory(EnvironmentName environment) =>
        Path.Combine(Root, "artifacts", "terraform", FolderName(environment));

    public string PlanFile(EnvironmentName environment) => Path.Combine(PlanDirectory(environment), PlanFileName);

    public string PlanRecordFile(EnvironmentName environment) => Path.Combine(PlanDirectory(environment), PlanRecordFileName);

    /// <summary>TF_DATA_DIR of the environment.</summary>
    public string DataDirectory(EnvironmentName environment) => Path.Combine(DataRoot, FolderName(environment));

    /// <summary>Shown in messages: a path relative to the repository root.</summary>
    public string Display(string path) => Path.GetRelativePath(Root, path);

    /// <summary>
    /// The files a plan depends on: every .tf of the root module and its modules, the provider lock file, and the
    /// environment's tfvars and backend settings (other environments' files do not change this one's plan).
    /// </summary>
    public IReadOnlyList<string> ConfigurationFiles(EnvironmentName environment)
    {
        var files = Directory.EnumerateFiles(InfraDirectory, "*.tf", SearchOption.AllDirectories)
            .Where(x => !IsUnder(x, Path.Combine(InfraDirectory, "environments")) && !x.Split(Path.DirectorySeparatorChar).Contains(".terraform"))
            .ToList();
        var lockFile = Path.Combine(InfraDirectory, ".terraform.lock.hcl");
        if (File.Exists(lockFile))
            files.Add(lockFile);
        files.Add(VarFile(environment));
        files.Add(BackendConfig(environment));
        return files.Where(File.Exists).Order(StringComparer.Ordinal).ToList();
    }

    static bool IsUnder(string path, string directory) =>
        path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
