namespace MeshHook.Build.Engine;

/// <summary>
/// Marks a field or property of the build class as a parameter, set from the command line, an environment variable or
/// <c>.nuke/parameters*.json</c> (in that order of precedence).
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ParameterAttribute(string? description = null) : Attribute
{
    public string? Description { get; } = description;

    /// <summary>The parameter's name when it should differ from the member's name.</summary>
    public string? Name { get; set; }

    /// <summary>For array parameters: also split each value on this separator (e.g. "," for --tags a,b).</summary>
    public string? Separator { get; set; }

    /// <summary>Accepts several values (implied for array types).</summary>
    public bool List { get; set; }

    /// <summary>
    /// False: read from the command line and parameter files only, not environment variables (for names such as --set or
    /// --list, whose environment variables SET or LIST could be set for unrelated reasons).
    /// </summary>
    public bool FromEnvironment { get; set; } = true;
}

/// <summary>The parameter holds a secret: stored encrypted in parameter files and masked in every output.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>The build fails before anything runs when this parameter has no value.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;
