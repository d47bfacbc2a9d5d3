using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Infrastructure;

/// <summary>
/// TerraformPlan and TerraformApply. Plan: init with the environment's backend, plan with its tfvars and the release's
/// image tag into <c>artifacts/terraform/&lt;env&gt;/tfplan</c>, read the plan back as JSON, print the summary (and
/// add it to the GitHub job summary), record what the plan was made for, and stop on destroyed stateful resources.
/// Apply: check the saved plan belongs to this environment and is still fresh, re-check the guard, apply exactly
/// that file (never a new plan), and discard it once applied. Every program runs through the one tool runner.
/// </summary>
public sealed partial class TerraformWorkflow
{
    readonly ToolRunner _tools;
    readonly TerraformLayout _layout;
    readonly TerraformOptions _options;
    readonly TerraformCommands _commands;
    readonly Action<string> _log;
    readonly TimeProvider _time;
    readonly Func<string, string?> _environmentVariable;

    /// <param name="log">Receives the workflow's own messages (stage names, the summary table).</param>
    /// <param name="environmentVariable">Reads GITHUB_STEP_SUMMARY; the process environment by default.</param>
    public TerraformWorkflow(ToolRunner tools, TerraformLayout layout, TerraformOptions options, Action<string> log,
        TimeProvider? time = null, Func<string, string?>? environmentVariable = null)
    {
        options.Validate();
        _tools = tools;
        _layout = layout;
        _options = options;
        _commands = new TerraformCommands(layout, options);
        _log = log;
        _time = time ?? TimeProvider.System;
        _environmentVariable = environmentVariable ?? System.Environment.GetEnvironmentVariable;
    }

    public TerraformCommands Commands => _commands;

    public async Task<TerraformPlanSummary> PlanAsync(EnvironmentName environment, string? release, CancellationToken cancellationToken)
    {
        var name = RequireCloud(environment);
        RequireEnvironmentFiles(environment);
        var imageTag = await ImageTagAsync(release, cancellationToken);
        _log($"Planning {name} with image tag {imageTag}");

        // A failed plan must never leave an older plan behind for TerraformApply to pick up.
        var planFile = _layout.PlanFile(environment);
        Directory.CreateDirectory(_layout.PlanDirectory(environment));
        File.Delete(planFile);
        File.Delete(_layout.PlanRecordFile(environment));

        await RunAsync("version", _commands.Version(environment), cancellationToken);
        await RunAsync("init", _commands.Init(environment), cancellationToken);
        // Taken before planning (and after init, which may write the provider lock file): an edit made while Terraform
        // plans makes the plan stale rather than silently part of it.
        var configuration = Fingerprint(environment);
        await RunAsync("plan", _commands.Plan(environment, imageTag), cancellationToken);
        if (!File.Exists(planFile))
            throw new InfrastructureException($"terraform plan succeeded but wrote no plan file at {_layout.Display(planFile)}.");
        var summary = await ShowAsync(environment, cancellationToken);

        _log(summary.ToTable(name, imageTag).TrimEnd());
        AppendStepSummary(summary.ToMarkdown(name, imageTag));

        new TerraformPlanRecord
        {
            Environment = name,
            ImageTag = imageTag,
            CreatedAt = _time.GetUtcNow(),
            PlanSha256 = TerraformPlanRecord.FileSha256(planFile),
            ConfigurationSha256 = configuration,
            Creates = summary.Creates,
            Updates = summary.Updates,
            Replaces = summary.Replaces,
            Deletes = summary.Deletes,
        }.Write(_layout.PlanRecordFile(environment));

        // The record stays when the guard stops the run: TerraformApply --allow-destroy may still apply this very plan.
        DestroyGuard.Enforce(environment, summary, _options.AllowDestroy);
        _log($"Saved the plan for {name} in {_layout.Display(planFile)}; TerraformApply --environment {name} applies exactly this plan.");
        return summary;
    }

    public async Task<TerraformPlanSummary> ApplyAsync(EnvironmentName environment, string? release, CancellationToken cancellationToken)
    {
        var name = RequireCloud(environment);
        var planFile = _layout.PlanFile(environment);
        var recordFile = _layout.PlanRecordFile(environment);
        var record = TerraformPlanRecord.Read(recordFile);
        if (!File.Exists(planFile) || record is null)
            throw new InfrastructureException(
                $"There is no saved plan for {name} (expected {_layout.Display(planFile)} and {_layout.Display(recordFile)}). " +
                $"Run TerraformPlan --environment {name} first; TerraformApply only applies a saved plan.");
        if (record.Environment != name)
            throw new InfrastructureException(
                $"The saved plan in {_layout.Display(planFile)} was made for {record.Environment}, not {name}. " +
                $"Run TerraformPlan --environment {name}.");
        if (TerraformPlanRecord.FileSha256(planFile) != record.PlanSha256)
            throw new InfrastructureException(
                $"The plan file {_layout.Display(planFile)} is not the one TerraformPlan saved (its checksum differs). " +
                $"Run TerraformPlan --environment {name} again.");
        RequireEnvironmentFiles(environment);
        if (Fingerprint(environment) != record.ConfigurationSha256)
            throw new InfrastructureException(
                $"The saved plan for {name} is stale: the Terraform configuration (infra/*.tf, modules, or " +
                $"environments/{name}/terraform.tfvars or backend.hcl) changed since it was made at {record.CreatedAt:u}. " +
                $"Run TerraformPlan --environment {name} again.");
        var age = _time.GetUtcNow() - record.CreatedAt;
        if (age > _options.PlanMaxAge)
            throw new InfrastructureException(
                $"The saved plan for {name} is stale: it was made at {record.CreatedAt:u}, more than {_options.PlanMaxAge.TotalHours:0.#} h ago. " +
                $"Run TerraformPlan --environment {name} again.");
        if (release is not null && release != record.ImageTag)
            throw new InfrastructureException(
                $"The saved plan for {name} runs image tag {record.ImageTag}, not the requested release {release}. " +
                $"Run TerraformPlan --environment {name} --release {release}.");

        _log($"Applying the plan saved for {name} at {record.CreatedAt:u} (image tag {record.ImageTag})");
        await RunAsync("version", _commands.Version(environment), cancellationToken);
        // The data folder may be new (plan and apply in different CI jobs); init reads the same backend again.
        await RunAsync("init", _commands.Init(environment), cancellationToken);
        var summary = await ShowAsync(environment, cancellationToken);
        _log(summary.ToTable(name, record.ImageTag).TrimEnd());
        DestroyGuard.Enforce(environment, summary, _options.AllowDestroy);

        await RunAsync("apply", _commands.Apply(environment), cancellationToken);

        // Applied plans are spent: Terraform refuses to apply one twice, and so do we, with a clearer message.
        File.Delete(planFile);
        File.Delete(recordFile);
        _log($"Applied the plan for {name}: {summary.CountsText()}.");
        return summary;
    }

    async Task<TerraformPlanSummary> ShowAsync(EnvironmentName environment, CancellationToken cancellationToken)
    {
        var result = await RunAsync("show", _commands.ShowJson(environment), cancellationToken);
        var summary = TerraformPlanSummary.Parse(result.StandardOutput);
        var name = TerraformLayout.FolderName(environment);
        if (summary.Variables.TryGetValue("environment", out var planned) && planned != name)
            throw new InfrastructureException(
                $"The plan in {_layout.Display(_layout.PlanFile(environment))} was made with environment = \"{planned}\", not {name}. " +
                $"Run TerraformPlan --environment {name}.");
        return summary;
    }

    async Task<ToolResult> RunAsync(string stage, ToolCommand command, CancellationToken cancellationToken)
    {
        _log($"[{stage}] {command.ToDisplayString()}");
        return await _tools.RunAsync(command, cancellationToken);
    }

    async Task<string> ImageTagAsync(string? release, CancellationToken cancellationToken)
    {
        var tag = release;
        if (string.IsNullOrWhiteSpace(tag))
        {
            var result = await _tools.RunAsync(_commands.CommitShortSha(), cancellationToken);
            tag = result.StandardOutput.Trim();
        }
        if (!ImageTagPattern().IsMatch(tag))
            throw new InfrastructureException(
                $"'{tag}' cannot be an image tag (letters, digits, '_', '.', '-'; at most 128 characters, not starting with '.' or '-').");
        return tag;
    }

    static string RequireCloud(EnvironmentName environment)
    {
        if (environment == EnvironmentName.Local)
            throw new InfrastructureException(
                "The local environment has no Terraform infrastructure: it runs on this machine. " +
                "Use --environment dev, staging or production.");
        if (!environment.IsCloud)
            throw new InfrastructureException(
                $"The {environment.ToText()} environment has no Terraform infrastructure: only dev, staging and production have Azure " +
                "infrastructure under infra/ (environments of your own, such as an ssh target's servers, are provisioned by you). " +
                "Use --environment dev, staging or production.");
        return TerraformLayout.FolderName(environment);
    }

    void RequireEnvironmentFiles(EnvironmentName environment)
    {
        var missing = new[] { _layout.BackendConfig(environment), _layout.VarFile(environment) }.Where(x => !File.Exists(x)).ToList();
        if (missing.Count > 0)
            throw new InfrastructureException(
                $"The {TerraformLayout.FolderName(environment)} environment is missing {string.Join(" and ", missing.Select(_layout.Display))}.");
    }

    string Fingerprint(EnvironmentName environment) =>
        TerraformPlanRecord.ConfigurationFingerprint(_layout.InfraDirectory, _layout.ConfigurationFiles(environment));

    void AppendStepSummary(string markdown)
    {
        if (_environmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 } file)
            File.AppendAllText(file, markdown + System.Environment.NewLine);
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ImageTagPattern();
}
