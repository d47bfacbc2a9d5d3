using System.Globalization;
using MeshHook.Deployment.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>
/// The terraform (and git) command lines of TerraformPlan and TerraformApply, as data: nothing runs here. Every
/// terraform command works on <c>infra/</c> through <c>-chdir</c>, never prompts, and keeps its data per environment.
/// </summary>
public sealed class TerraformCommands(TerraformLayout layout, TerraformOptions options)
{
    public const string Executable = "terraform";

    public const string InstallHint =
        "Terraform 1.9 or later is needed. Install it from https://developer.hashicorp.com/terraform/install " +
        "(Debian/Ubuntu: add HashiCorp's apt repository, then `sudo apt-get install terraform`; macOS: " +
        "`brew install hashicorp/tap/terraform`); in GitHub Actions use hashicorp/setup-terraform with terraform_wrapper: false.";

    /// <summary>Root variables set on the command line rather than in terraform.tfvars.</summary>
    public static IReadOnlyList<string> CommandLineVariables { get; } = ["image_tag"];

    static readonly TimeSpan QuickTimeout = TimeSpan.FromMinutes(2);
    static readonly TimeSpan InitTimeout = TimeSpan.FromMinutes(15);
    static readonly TimeSpan PlanTimeout = TimeSpan.FromMinutes(60);
    static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(120);

    /// <summary>The -lock-timeout value, in seconds as Terraform's duration syntax wants it.</summary>
    public string LockTimeoutArgument =>
        "-lock-timeout=" + ((long)options.LockTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";

    string ChdirArgument => "-chdir=" + layout.InfraDirectory;

    public ToolCommand Version(EnvironmentName environment) =>
        Terraform(environment, QuickTimeout, "version");

    public ToolCommand Init(EnvironmentName environment) =>
        Terraform(environment, InitTimeout,
            ChdirArgument, "init", "-input=false", "-no-color",
            "-backend-config=" + TerraformLayout.BackendConfigArgument(environment));

    public ToolCommand Plan(EnvironmentName environment, string imageTag) =>
        Terraform(environment, PlanTimeout,
            ChdirArgument, "plan", "-input=false", "-no-color", LockTimeoutArgument,
            "-var-file=" + TerraformLayout.VarFileArgument(environment),
            "-var", "image_tag=" + imageTag,
            "-out=" + layout.PlanFile(environment));

    /// <summary>The saved plan as JSON; not logged (the JSON can hold values marked sensitive).</summary>
    public ToolCommand ShowJson(EnvironmentName environment) =>
        Terraform(environment, QuickTimeout, ChdirArgument, "show", "-json", layout.PlanFile(environment)) with { LogOutput = false };

    /// <summary>Applies exactly the saved plan: with a plan file Terraform neither re-plans nor asks for approval.</summary>
    public ToolCommand Apply(EnvironmentName environment) =>
        Terraform(environment, ApplyTimeout,
            ChdirArgument, "apply", "-input=false", "-no-color", LockTimeoutArgument,
            layout.PlanFile(environment));

    /// <summary>The short SHA of the checked-out commit: the image tag when no release is given.</summary>
    public ToolCommand CommitShortSha() =>
        new ToolCommand("git", "rev-parse", "--short=12", "HEAD")
        {
            WorkingDirectory = layout.Root,
            Timeout = QuickTimeout,
            LogOutput = false,
            Environment = options.Environment,
            InstallHint = "git is needed to name the image tag after the current commit (or pass --release).",
        };

    /// <summary>The variables every terraform process gets.</summary>
    public IReadOnlyDictionary<string, string?> EnvironmentFor(EnvironmentName environment)
    {
        var variables = new Dictionary<string, string?>
        {
            ["TF_DATA_DIR"] = layout.DataDirectory(environment),
            ["TF_IN_AUTOMATION"] = "1",
            ["TF_INPUT"] = "0",
            ["CHECKPOINT_DISABLE"] = "1",
        };
        foreach (var (name, value) in options.Environment)
            variables[name] = value;
        return variables;
    }

    ToolCommand Terraform(EnvironmentName environment, TimeSpan timeout, params string[] arguments) =>
        new(Executable, arguments)
        {
            WorkingDirectory = layout.Root,
            Environment = EnvironmentFor(environment),
            Timeout = timeout,
            InstallHint = InstallHint,
        };
}
