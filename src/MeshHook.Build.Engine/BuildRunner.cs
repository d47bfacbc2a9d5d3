using System.Reflection;
using System.Text;
using MeshHook.Build.Engine.Configuration;
using MeshHook.Build.Engine.Execution;
using MeshHook.Build.Engine.Parameters;
using MeshHook.Build.Engine.Planning;
using MeshHook.Tooling;

namespace MeshHook.Build.Engine;

/// <summary>
/// One build run from arguments to exit code: find the root, read parameters, create the build, compute the plan, check
/// conditions and requirements before anything runs, execute, print the summary. Exit codes: 0 success, 1 a target failed,
/// 2 the invocation or the build definition is wrong (nothing ran), 130 cancelled.
/// </summary>
public static class BuildRunner
{
    public const int Success = 0, Failure = 1, InvalidInvocation = 2, Cancelled = 130;

    public static int Run(Func<NukeBuild> create, IReadOnlyList<string> defaultTargets, BuildInvocation invocation) =>
        RunAsync(create, defaultTargets, invocation).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(Func<NukeBuild> create, IReadOnlyList<string> defaultTargets, BuildInvocation invocation)
    {
        var masker = new SecretMasker();
        var output = invocation.Output;
        TextWriter? originalOut = null, originalError = null;
        if (invocation.CaptureConsole)
        {
            originalOut = Console.Out;
            originalError = Console.Error;
            Console.SetOut(new MaskingTextWriter(originalOut, masker));
            Console.SetError(new MaskingTextWriter(originalError, masker));
        }

        try
        {
            return await RunCoreAsync(create, defaultTargets, invocation, masker);
        }
        catch (Exception exception) when (exception is BuildConfigurationException or UserFacingException)
        {
            output.WriteLine(masker.Apply("error: " + exception.Message));
            output.Flush();
            return InvalidInvocation;
        }
        finally
        {
            BuildContext.Set(null);
            if (originalOut is not null)
            {
                Console.Out.Flush();
                Console.SetOut(originalOut);
                Console.SetError(originalError!);
            }
        }
    }

    /// <summary>The state every mode of a run works from: parsed arguments, resolved parameters, the build and its targets.</summary>
    sealed record RunState(
        BuildInvocation Invocation,
        CommandLine CommandLine,
        AbsolutePath Root,
        IReadOnlyList<string> Profiles,
        KeySource Key,
        SecretMasker Masker,
        BuildContext Context,
        NukeBuild Build,
        IReadOnlyList<ParameterDescriptor> Parameters,
        IReadOnlyDictionary<ParameterDescriptor, object?> BuiltIn,
        TargetGraph Graph,
        IReadOnlyList<string> Warnings)
    {
        public BuildLog Log => Context.Log;
        public bool Flag(ParameterDescriptor option) => (bool?)BuiltIn[option] == true;
    }

    // Each mode is its own step, as NUKE's build extensions are: --set-secret, --help, --generate-configuration,
    // --check-configuration, --plan, then execution.
    static async Task<int> RunCoreAsync(Func<NukeBuild> create, IReadOnlyList<string> defaultTargets, BuildInvocation invocation,
        SecretMasker masker)
    {
        var run = Prepare(create, invocation, masker);
        if (run.BuiltIn[BuiltInOptions.SetSecret] is string secretName)
            return SetSecret(secretName, run.Parameters, run.Profiles, run.Root, run.Key, masker, invocation, run.Log);

        WriteBanner(run);
        foreach (var warning in run.Warnings)
            run.Log.Write(LogLevel.Warning, warning);
        if (run.Flag(BuiltInOptions.Help))
        {
            run.Log.WriteBlock(HelpText.Render(run.Graph.Targets, defaultTargets, run.Parameters));
            return Success;
        }
        if (run.Flag(BuiltInOptions.GenerateConfiguration))
            return GenerateConfiguration(run);
        if (run.Flag(BuiltInOptions.CheckConfiguration))
            return CheckConfiguration(run);

        var plan = PlanTargets(run, defaultTargets);
        if (run.Flag(BuiltInOptions.Plan))
        {
            run.Log.WriteBlock(HelpText.RenderPlan(plan));
            return Success;
        }

        WarnWhenConfigurationIsStale(run);
        return await ExecuteAsync(run, plan);
    }

    /// <summary>Arguments, root, parameter files and values, the build instance, its targets and schema.</summary>
    static RunState Prepare(Func<NukeBuild> create, BuildInvocation invocation, SecretMasker masker)
    {
        var commandLine = CommandLine.Parse(invocation.Arguments);
        var root = FindRoot(commandLine, invocation.CurrentDirectory);
        var profiles = commandLine.Get(BuiltInOptions.Profile.Name)?.Values ?? [];
        // --set-secret may create the profile's file; every other run needs the files of the profiles it names.
        var files = LoadParameterFiles(root, profiles, allowMissing: commandLine.Has(BuiltInOptions.SetSecret.Name));
        var key = ParameterResolver.Key(invocation.Environment, root);
        var resolver = new ParameterResolver(commandLine, invocation.Environment, files, key, masker, root);

        var verbosity = (Verbosity?)resolver.Resolve(BuiltInOptions.Verbosity).Value ?? Verbosity.Normal;
        var hostKind = (HostKind?)resolver.Resolve(BuiltInOptions.Host).Value ?? Host.Detect(invocation.Environment);
        var host = Host.Create(hostKind, invocation.Environment, invocation.Colors);
        var log = new BuildLog(invocation.Output, masker, host, verbosity);
        var context = new BuildContext
        {
            RootDirectory = root,
            Host = host,
            Log = log,
            Masker = masker,
            Tools = new ToolRunner(masker, log),
            Environment = invocation.Environment,
            Time = invocation.Time,
            BuildCancellation = invocation.CancellationToken,
        };
        BuildContext.Set(context);

        var build = create();
        build.RaiseBuildCreated();

        var parameters = ParameterDescriptor.FromBuildType(build.GetType()).Concat(BuiltInOptions.All).ToList();
        ThrowOnNameClash(parameters);
        commandLine.MoveFlagValuesToTargets(parameters);
        resolver.ThrowOnUnknownNames(parameters);
        var builtIn = BuiltInOptions.All.ToDictionary(x => x, x => resolver.Resolve(x).Value);
        foreach (var parameter in parameters.Where(x => !x.IsBuiltIn))
        {
            var (value, _) = resolver.Resolve(parameter);
            if (value is not null)
                parameter.SetValue(build, value);
        }

        var graph = TargetGraph.Create(build);
        UpdateSchema(build.GetType(), root, graph, parameters);
        return new RunState(invocation, commandLine, root, profiles, key, masker, context, build, parameters, builtIn, graph, resolver.Warnings);
    }

    static void WriteBanner(RunState run)
    {
        if (!run.Flag(BuiltInOptions.NoLogo) && run.Log.Verbosity >= Verbosity.Normal && run.BuiltIn[BuiltInOptions.Help] is null)
            run.Log.WriteBlock($"MeshHook build · {run.Root} · host {run.Context.Host.Kind}{Environment.NewLine}");
    }

    /// <summary>The invoked targets (or the defaults), the plan, and --skip applied to it.</summary>
    static IReadOnlyList<ExecutableTarget> PlanTargets(RunState run, IReadOnlyList<string> defaultTargets)
    {
        var graph = run.Graph;
        var targetOption = (string[]?)run.BuiltIn[BuiltInOptions.Target] ?? [];
        ThrowOnEmptyTargetNames(run.CommandLine, targetOption, graph);
        var invokedNames = run.CommandLine.PositionalTargets.Concat(targetOption.SelectMany(CommandLine.SplitTargets)).ToList();
        if (invokedNames.Count == 0)
            invokedNames = defaultTargets.ToList();
        if (invokedNames.Count == 0)
            throw new BuildConfigurationException($"No target given and no default. Targets: {string.Join(", ", graph.Targets.Select(x => x.Name))}.");
        var invoked = invokedNames.Select(graph.Get).Distinct().ToList();
        foreach (var target in graph.Targets)
        {
            target.Status = ExecutionStatus.Scheduled;
            target.Invoked = invoked.Contains(target);
        }

        var plan = ExecutionPlanner.Plan(graph, invoked);
        run.Build.InvokedTargets = invoked;
        run.Build.ScheduledTargets = plan;
        ApplySkipParameter(run, run.BuiltIn[BuiltInOptions.Skip] as string[], plan);
        return plan;
    }

    static ConfigurationGenerator Generator(RunState run) =>
        ConfigurationGenerator.Create(run.Build.GetType(), run.Graph, run.Parameters, RepositoryFacts.Read(run.Root));

    static int GenerateConfiguration(RunState run)
    {
        var configuration = Generator(run);
        var changed = configuration.Write(run.Root);
        foreach (var note in configuration.Notes)
            run.Log.Write(LogLevel.Warning, note);
        run.Log.WriteBlock(changed.Count == 0
            ? $"All {configuration.Files.Count} generated files are up to date.{Environment.NewLine}"
            : $"Rewrote {changed.Count} of {configuration.Files.Count} generated files:{Environment.NewLine}" +
              string.Concat(changed.Select(x => $"  {x}{Environment.NewLine}")));
        return Success;
    }

    static int CheckConfiguration(RunState run)
    {
        var configuration = Generator(run);
        var stale = configuration.Stale(run.Root);
        if (stale.Count == 0)
        {
            run.Log.WriteBlock($"All {configuration.Files.Count} generated files match the build class.{Environment.NewLine}");
            return Success;
        }
        run.Log.WriteBlock(StaleMessage(stale));
        return Failure;
    }

    static string StaleMessage(IReadOnlyList<string> stale) =>
        $"These files differ from what the build class generates: {string.Join(", ", stale)}. " +
        $"Run ./build.sh --generate-configuration and commit the result.{Environment.NewLine}";

    /// <summary>
    /// On a developer's machine, for builds that declare workflows: say so when generated files are stale (CI fails on it).
    /// </summary>
    static void WarnWhenConfigurationIsStale(RunState run)
    {
        if (!run.Context.Host.IsLocal || !run.Build.GetType().IsDefined(typeof(MeshHook.Build.Engine.Configuration.GitHubActions.GitHubActionsAttribute), inherit: true))
            return;
        var stale = Generator(run).Stale(run.Root);
        if (stale.Count > 0)
            run.Log.Write(LogLevel.Warning, StaleMessage(stale).TrimEnd());
    }

    /// <summary>Conditions and requirements checked before anything runs, then the targets, then the summary.</summary>
    static async Task<int> ExecuteAsync(RunState run, IReadOnlyList<ExecutableTarget> plan)
    {
        var (invocation, build, log) = (run.Invocation, run.Build, run.Log);
        ThrowOnMissingRequiredParameters(build, run.Parameters);
        build.RaiseBuildInitialized();

        var attempts = new AttemptLog(run.Context.TemporaryDirectory / "build-attempt.log", invocation.Arguments);
        var carriedOver = run.Flag(BuiltInOptions.Continue) ? attempts.PreviouslySucceeded() : new HashSet<string>();
        foreach (var target in plan.Where(x => carriedOver.Contains(x.Name)))
            ExecutionPlanner.MarkSkipped(target, "Skipped: succeeded in the previous attempt (--continue)");

        // Static conditions of every scheduled target, then requirements, all before anything runs.
        foreach (var target in plan.Where(x => x.Status == ExecutionStatus.Scheduled))
        {
            if (target.Definition.StaticConditions.FirstOrDefault(x => !x.Evaluate()) is { } condition)
                ExecutionPlanner.MarkSkipped(target, "OnlyWhen: " + condition.Text);
        }
        ExecutionPlanner.Cascade(plan);
        var unmet = plan.Where(x => x.Status == ExecutionStatus.Scheduled)
            .SelectMany(target => target.Definition.Requirements.Where(x => !x.IsMet()).Select(x => x.Failure(target.Name)))
            .ToList();
        if (unmet.Count > 0)
            throw new BuildConfigurationException(string.Join(Environment.NewLine + "error: ", unmet));

        attempts.Start(carriedOver.Where(x => plan.Any(t => t.Name == x)));
        build.TargetSucceededObserver = attempts.Succeeded;
        var maxParallel = (int?)run.BuiltIn[BuiltInOptions.MaxParallel] ?? invocation.ProcessorCount;
        if (maxParallel < 1)
            throw new BuildConfigurationException($"--max-parallel must be 1 or more (got {maxParallel}).");

        var started = invocation.Time.GetTimestamp();
        await new BuildExecutor(run.Context, build, maxParallel).ExecuteAsync(plan);
        var cancelled = invocation.CancellationToken.IsCancellationRequested;
        var succeeded = !build.IsFailing && !cancelled && plan.All(x => x.Status != ExecutionStatus.NotRun);

        var summary = BuildSummary.From(plan, invocation.Time.GetElapsedTime(started), succeeded, invocation.Time.GetLocalNow());
        if (log.Verbosity > Verbosity.Quiet || !succeeded)
            log.WriteBlock(Environment.NewLine + summary.ToText());
        run.Context.Host.PublishSummary(run.Masker.Apply(summary.ToMarkdown()));
        build.RaiseBuildFinished();
        return succeeded ? Success : cancelled ? Cancelled : Failure;
    }

    static AbsolutePath FindRoot(CommandLine commandLine, string currentDirectory)
    {
        if (commandLine.Get(BuiltInOptions.Root.Name) is { } option)
        {
            if (option.Values.Count != 1)
                throw new BuildConfigurationException("--root takes one directory.");
            var root = Path.GetFullPath(option.Values[0], currentDirectory);
            if (!Directory.Exists(root))
                throw new BuildConfigurationException($"--root {option.Values[0]}: the directory does not exist.");
            return AbsolutePath.Create(root);
        }

        for (var directory = new DirectoryInfo(currentDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, ".nuke")))
                return AbsolutePath.Create(directory.FullName);
        }
        throw new BuildConfigurationException(
            $"No .nuke folder in {currentDirectory} or above it: run the build inside the repository, or pass --root <directory>.");
    }

    static List<ParameterFile> LoadParameterFiles(AbsolutePath root, IReadOnlyList<string> profiles, bool allowMissing)
    {
        var directory = root / ".nuke";
        var files = new List<ParameterFile>();
        if ((directory / ParameterFile.FileName(null)).FileExists())
            files.Add(ParameterFile.Load(directory / ParameterFile.FileName(null)));
        foreach (var profile in profiles)
        {
            var path = directory / ParameterFile.FileName(profile);
            if (!path.FileExists() && allowMissing)
                continue;
            if (!path.FileExists())
            {
                var available = Directory.Exists(directory)
                    ? Directory.GetFiles(directory, "parameters.*.json").Select(x => Path.GetFileName(x).Split('.')[1]).Order().ToList()
                    : [];
                throw new BuildConfigurationException(
                    $"Profile '{profile}' has no file {path}. Available profiles: {(available.Count == 0 ? "none" : string.Join(", ", available))}." +
                    Suggestions.DidYouMean(profile, available));
            }
            files.Add(ParameterFile.Load(path));
        }
        return files;
    }

    static void ThrowOnNameClash(IReadOnlyList<ParameterDescriptor> parameters)
    {
        var clash = parameters.GroupBy(x => Suggestions.Normalize(x.Name)).FirstOrDefault(x => x.Count() > 1);
        if (clash is not null)
            throw new BuildConfigurationException(
                $"Parameter names clash: {string.Join(" and ", clash.Select(x => x.IsBuiltIn ? $"built-in --{x.Name}" : x.Member!.DeclaringType!.Name + "." + x.Name))}. Rename one.");
    }

    /// <summary>
    /// A target word with an empty name (<c>''</c>, <c>+</c>, <c>a++b</c>, <c>Test+</c>, <c>--target ''</c>, a bare
    /// <c>--target</c>) is an error, never "no target given": a script's unset <c>$TARGET</c> must not run the default.
    /// </summary>
    static void ThrowOnEmptyTargetNames(CommandLine commandLine, IReadOnlyList<string> targetOption, TargetGraph graph)
    {
        var targets = $"Targets: {string.Join(", ", graph.Targets.Where(x => x.IsListed).Select(x => x.Name))}.";
        if (commandLine.Get(BuiltInOptions.Target.Name) is { Values.Count: 0 } bare)
            throw new BuildConfigurationException($"{bare.Spelling} needs a target name (--target Compile+Test); nothing was run. {targets}");
        var empty = commandLine.TargetSpellings.Concat(targetOption).FirstOrDefault(CommandLine.HasEmptyTargetName);
        if (empty is not null)
            throw new BuildConfigurationException(
                $"Empty target name in '{empty}' (targets are joined by a single '+'; an unset variable gives an empty name); " +
                $"nothing was run. {targets}");
    }

    static void ApplySkipParameter(RunState run, string[]? skip, IReadOnlyList<ExecutableTarget> plan)
    {
        var named = skip?.SelectMany(CommandLine.SplitTargets).Select(run.Graph.Get).ToList();
        foreach (var warning in ExecutionPlanner.ApplySkipParameter(plan, named))
            run.Log.Write(LogLevel.Warning, warning);
    }

    static void ThrowOnMissingRequiredParameters(NukeBuild build, IReadOnlyList<ParameterDescriptor> parameters)
    {
        var missing = parameters.Where(x => x.IsRequired && IsEmpty(x.GetValue(build))).ToList();
        if (missing.Count == 0)
            return;
        throw new BuildConfigurationException(string.Join(Environment.NewLine + "error: ", missing.Select(x =>
            $"Parameter '{x.Name}' is required. Pass it on the command line ({x.CommandLineName} <value>), as the environment variable " +
            $"{x.EnvironmentName} (or NUKE_{x.EnvironmentName}), or in .nuke/parameters.json as \"{x.Name}\"" +
            (x.IsSecret ? $" (store it encrypted with ./build.sh --set-secret {x.Name})." : "."))));

        static bool IsEmpty(object? value) => value is null || value is string text && string.IsNullOrWhiteSpace(text) || value is Array { Length: 0 };
    }

    static void UpdateSchema(Type buildType, AbsolutePath root, TargetGraph graph, IReadOnlyList<ParameterDescriptor> parameters)
    {
        // The schema depends only on the compiled build: skip the work when the assembly is the one seen last time.
        var stampFile = root / ".nuke" / "temp" / "schema.stamp";
        var schemaFile = root / ".nuke" / "build.schema.json";
        var stamp = $"{buildType.FullName}|{buildType.Assembly.ManifestModule.ModuleVersionId}|{typeof(BuildRunner).Assembly.ManifestModule.ModuleVersionId}";
        if (schemaFile.FileExists() && stampFile.FileExists() && File.ReadAllText(stampFile) == stamp)
            return;
        BuildSchema.Update(schemaFile, BuildSchema.Generate(graph.Targets, parameters));
        Directory.CreateDirectory(stampFile.Parent);
        File.WriteAllText(stampFile, stamp);
    }

    static int SetSecret(string name, IReadOnlyList<ParameterDescriptor> parameters, IReadOnlyList<string> profiles, AbsolutePath root,
        KeySource key, SecretMasker masker, BuildInvocation invocation, BuildLog log)
    {
        var secrets = parameters.Where(x => x.IsSecret).ToList();
        var parameter = secrets.FirstOrDefault(x => Suggestions.Normalize(x.Name) == Suggestions.Normalize(name))
                        ?? throw new BuildConfigurationException(
                            $"'{name}' is not a secret parameter of this build.{Suggestions.DidYouMean(name, secrets.Select(x => x.Name))}" +
                            $" Secret parameters: {(secrets.Count == 0 ? "none" : string.Join(", ", secrets.Select(x => x.Name)))}.");
        if (profiles.Count > 1)
            throw new BuildConfigurationException("--set-secret writes one file: give at most one --profile.");

        var value = ReadSecretValue(parameter.Name, invocation);
        if (string.IsNullOrEmpty(value))
            throw new BuildConfigurationException($"No value for '{parameter.Name}' was given on standard input; nothing was stored.");
        ParameterResolver.ThrowOnUnmaskableSecret(parameter.Name, value, "the value given; nothing was stored");
        masker.Register(value);

        var (password, created) = key.ReadOrCreate();
        masker.Register(password);
        var file = root / ".nuke" / ParameterFile.FileName(profiles.Count == 1 ? profiles[0] : null);
        ParameterFile.Write(file, parameter.Name, SecretCipher.Encrypt(value, password, ParameterResolver.SecretContext(parameter.Name)));
        if (created)
            log.WriteBlock($"Created a new key at {key.KeyFile} (mode 0600). Keep it safe: without it the stored secrets cannot be read.{Environment.NewLine}");
        log.WriteBlock($"Stored '{parameter.Name}' encrypted (AES-256-GCM) in {file.RelativeTo(root)}.{Environment.NewLine}");
        return Success;
    }

    static string ReadSecretValue(string name, BuildInvocation invocation) =>
        invocation.InputIsTerminal ? SecretInput.ReadFromConsole(name) : SecretInput.ReadPiped(invocation.Input);
}
