using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace MeshHook.Build.Engine.Parameters;

/// <summary>Turns the text values of a parameter into its member's type, with errors that say what is allowed.</summary>
public static class ParameterConverter
{
    public static object? Convert(ParameterDescriptor parameter, IReadOnlyList<string> values, string source, AbsolutePath root)
    {
        if (parameter.Separator is { Length: > 0 } separator)
            values = values.SelectMany(x => x.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

        if (parameter.IsList)
        {
            var array = Array.CreateInstance(parameter.ElementType, values.Count);
            for (var i = 0; i < values.Count; i++)
                array.SetValue(ConvertOne(parameter, values[i], source, root), i);
            return array;
        }

        if (values.Count == 0)
        {
            if (parameter.IsFlag)
                return true;
            throw new BuildConfigurationException($"Parameter '{parameter.Name}' ({source}) needs a value: {parameter.CommandLineName} <{Describe(parameter)}>.");
        }
        if (values.Count > 1)
            throw new BuildConfigurationException(
                $"Parameter '{parameter.Name}' ({source}) takes one value but got {values.Count}: {string.Join(" ", values)}.");
        return ConvertOne(parameter, values[0], source, root);
    }

    static object ConvertOne(ParameterDescriptor parameter, string value, string source, AbsolutePath root)
    {
        var type = parameter.ElementType;
        if (type == typeof(string))
            return value;
        if (type == typeof(bool))
        {
            if (bool.TryParse(value, out var flag))
                return flag;
            throw Invalid("true or false");
        }
        if (type == typeof(int))
        {
            if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                return number;
            throw Invalid("a whole number");
        }
        if (type == typeof(long))
        {
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                return number;
            throw Invalid("a whole number");
        }
        if (type == typeof(double))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return number;
            throw Invalid("a number");
        }
        if (type == typeof(TimeSpan))
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                return TimeSpan.FromSeconds(seconds);
            if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span))
                return span;
            throw Invalid("seconds, or hh:mm:ss");
        }
        if (type == typeof(AbsolutePath))
            return Path.IsPathRooted(value) ? AbsolutePath.Create(value) : root / value;
        if (type.IsEnum)
        {
            var match = Enum.GetNames(type).FirstOrDefault(x => Suggestions.Normalize(x) == Suggestions.Normalize(value));
            if (match is not null)
                return Enum.Parse(type, match);
            throw new BuildConfigurationException(
                $"Invalid value '{value}' for parameter '{parameter.Name}' ({source}). Allowed values: {string.Join(", ", Enum.GetNames(type))}." +
                Suggestions.DidYouMean(value, Enum.GetNames(type)));
        }
        if (Converter(type) is { } converter)
        {
            object? converted;
            try
            {
                converted = converter.ConvertFromInvariantString(value);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The type's own message says what is allowed; a secret's value is never repeated.
                throw new BuildConfigurationException(
                    $"Invalid value '{(parameter.IsSecret ? "***" : value)}' for parameter '{parameter.Name}' ({source}): " +
                    (parameter.IsSecret ? $"not a valid {type.Name}." : exception.Message));
            }
            return converted ?? throw Invalid($"a {type.Name}");
        }
        throw new BuildConfigurationException($"Parameter '{parameter.Name}' has the unsupported type {type.Name}.");

        BuildConfigurationException Invalid(string expected) =>
            new($"Invalid value '{(parameter.IsSecret ? "***" : value)}' for parameter '{parameter.Name}' ({source}): expected {expected}.");
    }

    /// <summary>
    /// The converter of a type that names one with <c>[TypeConverter]</c> (as NUKE's <c>Enumeration</c> classes do): the way
    /// a build's own value types become parameters without the engine knowing them. Null for other types.
    /// </summary>
    public static TypeConverter? Converter(Type type) =>
        !type.IsEnum && type.GetCustomAttribute<TypeConverterAttribute>(inherit: true) is not null
        && TypeDescriptor.GetConverter(type) is { } converter && converter.CanConvertFrom(typeof(string))
            ? converter
            : null;

    /// <summary>
    /// The values a converted type suggests (its converter's standard values, as text), and whether only those are allowed;
    /// empty when it suggests none.
    /// </summary>
    public static (IReadOnlyList<string> Values, bool Exclusive) StandardValues(Type type)
    {
        if (Converter(type) is not { } converter || !converter.GetStandardValuesSupported())
            return ([], false);
        var values = converter.GetStandardValues()?.Cast<object>().Select(x => converter.ConvertToInvariantString(x) ?? x.ToString() ?? string.Empty).ToList() ?? [];
        return (values, values.Count > 0 && converter.GetStandardValuesExclusive());
    }

    /// <summary>Whether the parameter's value is a string in files and schemas but becomes <paramref name="type"/> through its converter.</summary>
    public static bool IsConverted(Type type) => Converter(type) is not null;

    public static string Describe(ParameterDescriptor parameter)
    {
        var type = parameter.ElementType;
        var (standard, exclusive) = StandardValues(type);
        var text = type.IsEnum ? string.Join("|", Enum.GetNames(type))
            : standard.Count > 0 ? string.Join("|", standard) + (exclusive ? string.Empty : "|...")
            : type == typeof(bool) ? "bool"
            : type == typeof(int) || type == typeof(long) ? "int"
            : type == typeof(AbsolutePath) ? "path"
            : type == typeof(TimeSpan) ? "seconds"
            : "value";
        return parameter.IsList ? text + "..." : text;
    }
}
