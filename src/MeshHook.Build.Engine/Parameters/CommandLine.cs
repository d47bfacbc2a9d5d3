namespace MeshHook.Build.Engine.Parameters;

/// <summary>
/// The parsed command line: positional targets (joined by '+'), then options. <c>--api-key</c>, <c>-ApiKey</c> and
/// <c>--apikey</c> name the same option; the last occurrence wins; a bare option is a flag (true).
/// </summary>
public sealed class CommandLine
{
    readonly Dictionary<string, Option> _options = new();

    public sealed record Option(string Spelling, IReadOnlyList<string> Values);

    readonly List<string> _positionalTargets = [];
    readonly List<string> _targetSpellings = [];

    public IReadOnlyList<string> PositionalTargets => _positionalTargets;

    /// <summary>Each command-line word that named targets, as given (<c>Compile+Test</c>, <c>''</c>), for error messages.</summary>
    public IReadOnlyList<string> TargetSpellings => _targetSpellings;

    public IEnumerable<Option> Options => _options.Values;

    public bool Has(string name) => _options.ContainsKey(Suggestions.Normalize(name));

    public Option? Get(string name) => _options.GetValueOrDefault(Suggestions.Normalize(name));

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var commandLine = new CommandLine();
        var index = 0;
        for (; index < args.Count && !IsOptionName(args[index]); index++)
        {
            commandLine._targetSpellings.Add(args[index]);
            positional.AddRange(SplitTargets(args[index]));
        }

        while (index < args.Count)
        {
            var spelling = args[index++];
            if (!IsOptionName(spelling))
                throw new BuildConfigurationException(
                    $"Unexpected argument '{spelling}': targets come first (./build.sh Compile Test --param value), then options.");
            var values = new List<string>();
            while (index < args.Count && !IsOptionName(args[index]))
                values.Add(args[index++]);
            var key = Suggestions.Normalize(spelling);
            if (key.Length == 0)
                throw new BuildConfigurationException($"'{spelling}' is not an option name.");
            commandLine._options[key] = new Option(spelling, values);
        }

        commandLine._positionalTargets.AddRange(positional);
        return commandLine;
    }

    /// <summary>
    /// Words after a flag that are not true/false are targets: <c>--plan Test</c> plans Test, <c>--skip</c> aside.
    /// </summary>
    public void MoveFlagValuesToTargets(IEnumerable<ParameterDescriptor> parameters)
    {
        foreach (var flag in parameters.Where(x => x.IsFlag))
        {
            var key = Suggestions.Normalize(flag.Name);
            if (_options.TryGetValue(key, out var option) && option.Values.Count > 0 && !bool.TryParse(option.Values[0], out _))
            {
                _targetSpellings.AddRange(option.Values);
                _positionalTargets.AddRange(option.Values.SelectMany(SplitTargets));
                _options[key] = option with { Values = [] };
            }
        }
    }

    /// <summary>
    /// The target names in one word, split on '+'. Empty names are kept (<c>''</c>, <c>+</c>, <c>a++b</c> yield "") so that
    /// <see cref="HasEmptyTargetName"/> can refuse them: an unset <c>$TARGET</c> must not run the default target.
    /// </summary>
    public static IEnumerable<string> SplitTargets(string value) =>
        value.Split('+', StringSplitOptions.TrimEntries);

    public static bool HasEmptyTargetName(string value) => SplitTargets(value).Any(x => x.Length == 0);

    // "-1" and "-" are values, not option names.
    static bool IsOptionName(string arg) => arg.Length > 1 && arg[0] == '-' && !char.IsDigit(arg[1]) && arg[1] != '.';
}
