using System.Reflection;

namespace MeshHook.Build.Engine.Parameters;

/// <summary>A parameter known to the build: a member of the build class or a built-in option.</summary>
public sealed record ParameterDescriptor(string Name, Type Type, string? Description)
{
    public MemberInfo? Member { get; init; }
    public bool IsSecret { get; init; }
    public bool IsRequired { get; init; }
    public string? Separator { get; init; }
    public bool IsBuiltIn => Member is null;

    /// <summary>Built-in options that only make sense on the command line (not from env or files).</summary>
    public bool CommandLineOnly { get; init; }

    /// <summary>Read from the command line and parameter files, not from environment variables (names too generic).</summary>
    public bool NotFromEnvironment { get; init; }

    public Type ElementType => Type.IsArray ? Type.GetElementType()! : Nullable.GetUnderlyingType(Type) ?? Type;
    public bool IsList => Type.IsArray;
    public bool IsFlag => ElementType == typeof(bool) && !IsList;

    /// <summary>--api-key for ApiKey.</summary>
    public string CommandLineName => "--" + string.Concat(Name.Select((c, i) =>
        char.IsUpper(c) && i > 0 && (char.IsLower(Name[i - 1]) || i + 1 < Name.Length && char.IsLower(Name[i + 1]))
            ? "-" + char.ToLowerInvariant(c)
            : char.ToLowerInvariant(c).ToString()));

    /// <summary>API_KEY for ApiKey.</summary>
    public string EnvironmentName => CommandLineName[2..].Replace('-', '_').ToUpperInvariant();

    public static IReadOnlyList<ParameterDescriptor> FromBuildType(Type type)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var members = new List<MemberInfo>();
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
            members.InsertRange(0, current.GetMembers(flags | BindingFlags.DeclaredOnly)
                .Where(x => x is FieldInfo or PropertyInfo && x.GetCustomAttribute<ParameterAttribute>() is not null)
                .OrderBy(x => x.MetadataToken));

        return members.Select(member =>
        {
            var attribute = member.GetCustomAttribute<ParameterAttribute>()!;
            var memberType = member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;
            return new ParameterDescriptor(attribute.Name ?? member.Name, memberType, attribute.Description)
            {
                Member = member,
                IsSecret = member.GetCustomAttribute<SecretAttribute>() is not null,
                IsRequired = member.GetCustomAttribute<RequiredAttribute>() is not null,
                Separator = attribute.Separator,
                NotFromEnvironment = !attribute.FromEnvironment,
            };
        }).ToList();
    }

    public void SetValue(object build, object? value)
    {
        switch (Member)
        {
            case FieldInfo field:
                field.SetValue(field.IsStatic ? null : build, value);
                break;
            case PropertyInfo property:
                var setter = property.GetSetMethod(nonPublic: true);
                if (setter is not null)
                    property.SetValue(setter.IsStatic ? null : build, value);
                else
                    SetBackingField(build, property, value);
                break;
        }
    }

    public object? GetValue(object build) => Member switch
    {
        FieldInfo field => field.GetValue(field.IsStatic ? null : build),
        PropertyInfo property => property.GetValue(property.GetMethod!.IsStatic ? null : build),
        _ => null,
    };

    // Get-only auto-properties ({ get; }) are set through their compiler-generated backing field.
    static void SetBackingField(object build, PropertyInfo property, object? value)
    {
        var field = property.DeclaringType!.GetField($"<{property.Name}>k__BackingField",
                        BindingFlags.Instance | BindingFlags.Static | BindingFlags.NonPublic)
                    ?? throw new BuildConfigurationException(
                        $"Parameter '{property.Name}' is a property without a setter or backing field; make it a field or give it a setter.");
        field.SetValue(field.IsStatic ? null : build, value);
    }
}
