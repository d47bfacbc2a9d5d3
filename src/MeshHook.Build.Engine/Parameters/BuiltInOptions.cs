namespace MeshHook.Build.Engine.Parameters;

/// <summary>The options every build understands, next to its own parameters.</summary>
public static class BuiltInOptions
{
    public static readonly ParameterDescriptor Target = new("Target", typeof(string[]), "Targets to run (also positional, joined by '+')") { NotFromEnvironment = true };
    public static readonly ParameterDescriptor Skip = new("Skip", typeof(string[]), "Targets to skip (a bare --skip skips every target that runs only as a dependency; invoked and triggered targets run)") { NotFromEnvironment = true };
    public static readonly ParameterDescriptor Plan = new("Plan", typeof(bool), "Print the ordered plan and exit") { CommandLineOnly = true };
    public static readonly ParameterDescriptor Help = new("Help", typeof(bool), "List targets and parameters and exit") { CommandLineOnly = true };
    public static readonly ParameterDescriptor Root = new("Root", typeof(string), "Root directory (default: nearest parent with a .nuke folder)") { CommandLineOnly = true };
    public static readonly ParameterDescriptor Verbosity = new("Verbosity", typeof(Verbosity), "Logging verbosity");
    public static readonly ParameterDescriptor Host = new("Host", typeof(HostKind), "Host for output (default: detected)") { CommandLineOnly = true };
    public static readonly ParameterDescriptor Profile = new("Profile", typeof(string[]), "Parameter profiles to load (.nuke/parameters.<profile>.json)") { CommandLineOnly = true };
    public static readonly ParameterDescriptor Continue = new("Continue", typeof(bool), "Skip targets that succeeded in the previous attempt of the same invocation") { CommandLineOnly = true };
    public static readonly ParameterDescriptor NoLogo = new("NoLogo", typeof(bool), "Do not print the banner");
    public static readonly ParameterDescriptor MaxParallel = new("MaxParallel", typeof(int), "Most targets to run at the same time (default: processor count)");
    public static readonly ParameterDescriptor SetSecret = new("SetSecret", typeof(string), "Store a secret parameter encrypted (value read from standard input)") { CommandLineOnly = true };
    public static readonly ParameterDescriptor GenerateConfiguration = new("GenerateConfiguration", typeof(bool), "Rewrite the files generated from the build class (.github/workflows, .vscode/tasks.json, .run/) and exit") { CommandLineOnly = true };
    public static readonly ParameterDescriptor CheckConfiguration = new("CheckConfiguration", typeof(bool), "Exit 1 when a generated file differs from what the build class generates") { CommandLineOnly = true };

    public static readonly IReadOnlyList<ParameterDescriptor> All =
        [Target, Skip, Plan, Help, Root, Verbosity, Host, Profile, Continue, NoLogo, MaxParallel, SetSecret, GenerateConfiguration, CheckConfiguration];
}
