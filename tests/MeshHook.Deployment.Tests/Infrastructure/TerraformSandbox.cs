using System.Text.Json.Nodes;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Infrastructure;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>
/// A throwaway repository root for end-to-end runs: a copy of infra/, the terraform stand-in first on PATH (for the
/// commands of this sandbox only: the test process's PATH is left alone), its call log, a JSON plan fixture for it to
/// show, a GitHub step summary file and a fake clock.
/// </summary>
internal sealed class TerraformSandbox : IDisposable
{
    public TerraformSandbox()
    {
        Root = Directory.CreateTempSubdirectory("meshhook-terraform-").FullName;
        CopyDirectory(RepositoryFiles.Infra, Path.Combine(Root, "infra"));

        BinDirectory = Directory.CreateDirectory(Path.Combine(Root, "standin-bin")).FullName;
        var standIn = Path.Combine(BinDirectory, "terraform");
        File.Copy(RepositoryFiles.StandIn, standIn);
        // Copies do not always keep the execute bit; the stand-in is a bash script, so this is Unix-only anyway.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        CallLog = Path.Combine(Root, "standin-calls.log");
        StepSummary = Path.Combine(Root, "step-summary.md");
        PlanJson = Path.Combine(Root, "plan.json");
        Layout = new TerraformLayout(Root, Path.Combine(Root, ".nuke", "temp", "terraform"));
    }

    public string Root { get; }
    public string BinDirectory { get; }
    public string CallLog { get; }
    public string StepSummary { get; }

    /// <summary>What the stand-in prints for show -json (TERRAFORM_STANDIN_PLAN).</summary>
    public string PlanJson { get; }

    public TerraformLayout Layout { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 6, 40, 0, TimeSpan.Zero));
    public List<string> Messages { get; } = [];
    public List<string> ToolOutput { get; } = [];
    public bool PublishStepSummary { get; set; } = true;


    public string InfraDirectory => Path.Combine(Root, "infra");

    public string PlanFile(EnvironmentName environment) => Layout.PlanFile(environment);

    /// <summary>Copies a fixture for the stand-in to show, with its <c>environment</c> variable set to the given one.</summary>
    public void UsePlan(string fixture, string environment)
    {
        var plan = JsonNode.Parse(File.ReadAllText(RepositoryFiles.PlanFixture(fixture)))!.AsObject();
        plan["variables"]!["environment"]!["value"] = environment;
        File.WriteAllText(PlanJson, plan.ToJsonString());
    }

    public TerraformWorkflow Workflow(bool allowDestroy = false, bool terraformOnPath = true)
    {
        var path = terraformOnPath
            ? BinDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH")
            : Directory.CreateDirectory(Path.Combine(Root, "empty-bin")).FullName;
        var options = new TerraformOptions
        {
            AllowDestroy = allowDestroy,
            Environment = new Dictionary<string, string?>
            {
                ["PATH"] = path,
                ["TERRAFORM_STANDIN_LOG"] = CallLog,
                ["TERRAFORM_STANDIN_PLAN"] = PlanJson,
            },
        };
        var tools = new ToolRunner(new SecretMasker(), new CollectingSink(ToolOutput));
        return new TerraformWorkflow(tools, Layout, options, Messages.Add, Time,
            name => name == "GITHUB_STEP_SUMMARY" && PublishStepSummary ? StepSummary : null);
    }

    /// <summary>The stand-in's calls, one per line, with the sandbox root written as ROOT.</summary>
    public IReadOnlyList<string> Calls() =>
        File.Exists(CallLog) ? File.ReadAllLines(CallLog).Select(x => x.Replace(Root, "ROOT", StringComparison.Ordinal)).ToList() : [];

    public void ClearCalls() => File.Delete(CallLog);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process still holding a file; the temp folder is cleaned up by the system.
        }
    }

    internal static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(source).Where(x => Path.GetFileName(x) != ".terraform"))
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
    }

    sealed class CollectingSink(List<string> lines) : IToolOutputSink
    {
        public void Write(ToolCommand command, OutputLine line)
        {
            lock (lines)
                lines.Add(line.Text);
        }
    }
}
