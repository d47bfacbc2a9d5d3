using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// An environment MeshHook is deployed to: any name matching <see cref="Pattern"/> whose folder
/// <c>infra/environments/&lt;name&gt;/</c> holds an <c>environment.json</c>. The name becomes a folder (<c>.deploy/&lt;name&gt;/</c>),
/// a blob and journal name and a GitHub environment name, so it is checked before it touches anything: lower-case letters,
/// digits and '-', starting with a letter, at most 31 characters (no '/', '.', spaces or shell characters can get in).
/// <see cref="Local"/>, <see cref="Dev"/>, <see cref="Staging"/> and <see cref="Production"/> are the well-known ones with their
/// own rules (Terraform layout, workflows, production's protection); every other name is an environment of your own servers.
/// </summary>
/// <remarks>A struct whose default is <see cref="Local"/>, as the enum it replaces was; equal when the names are equal.</remarks>
[TypeConverter(typeof(EnvironmentNameConverter))]
public readonly partial struct EnvironmentName : IEquatable<EnvironmentName>
{
    /// <summary>What a name may be (also the folder, blob and GitHub environment name).</summary>
    public const string Pattern = "^[a-z][a-z0-9-]{0,30}$";

    public const int MaximumLength = 31;

    /// <summary>This machine, embedded database: the default a newcomer runs first.</summary>
    public static EnvironmentName Local { get; } = new("local");
    public static EnvironmentName Dev { get; } = new("dev");
    public static EnvironmentName Staging { get; } = new("staging");
    public static EnvironmentName Production { get; } = new("production");

    /// <summary>The environments with rules of their own, in the order people meet them.</summary>
    public static IReadOnlyList<EnvironmentName> WellKnown { get; } = [Local, Dev, Staging, Production];

    /// <summary>The environments with Azure infrastructure under infra/ (Terraform, images, the infra workflow).</summary>
    public static IReadOnlyList<EnvironmentName> Cloud { get; } = [Dev, Staging, Production];

    readonly string? _text;

    EnvironmentName(string text) => _text = text;

    /// <summary>The name as typed and as the folder is called: <c>production</c>.</summary>
    public string Text => _text ?? "local";

    public bool IsWellKnown => WellKnown.Contains(this);

    /// <summary>dev, staging or production: the environments Terraform, images and the infra workflow know.</summary>
    public bool IsCloud => Cloud.Contains(this);

    /// <summary>Checks the name's form only (whether the environment exists is the repository's business).</summary>
    public static bool TryCreate(string? text, out EnvironmentName environment, out string problem)
    {
        environment = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = "An environment name is empty.";
            return false;
        }
        if (!NamePattern().IsMatch(text))
        {
            var shown = text.Length > 64 ? text[..64] + "..." : text;
            var lower = text.Trim().ToLowerInvariant();
            problem = $"'{Printable(shown)}' is not an environment name: allowed are lower-case letters, digits and '-', starting with a letter, " +
                      $"at most {MaximumLength} characters (it becomes a folder, a journal and a GitHub environment name)." +
                      (lower != text && NamePattern().IsMatch(lower) ? $" Did you mean '{lower}'?" : string.Empty);
            return false;
        }
        environment = new EnvironmentName(text);
        problem = string.Empty;
        return true;
    }

    /// <exception cref="EnvironmentConfigurationException">Not a well-formed name (the message says what is allowed).</exception>
    public static EnvironmentName Create(string? text) =>
        TryCreate(text, out var environment, out var problem) ? environment : throw new EnvironmentConfigurationException(problem);

    public bool Equals(EnvironmentName other) => string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is EnvironmentName other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public static bool operator ==(EnvironmentName left, EnvironmentName right) => left.Equals(right);

    public static bool operator !=(EnvironmentName left, EnvironmentName right) => !left.Equals(right);

    public override string ToString() => Text;

    // Control characters of a hostile name are shown escaped, never sent to the terminal as they are.
    static string Printable(string text) =>
        string.Concat(text.Select(x => char.IsControl(x) ? $"\\u{(int)x:x4}" : x.ToString()));

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>
/// How a build parameter (<c>--environment</c>) becomes an <see cref="EnvironmentName"/>: the form is checked here; the
/// well-known names are the standard values (not exclusive: any environment with a folder is allowed).
/// </summary>
public sealed class EnvironmentNameConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? EnvironmentName.Create(text) : base.ConvertFrom(context, culture, value);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        value is EnvironmentName environment && destinationType == typeof(string)
            ? environment.Text
            : base.ConvertTo(context, culture, value, destinationType);

    public override bool GetStandardValuesSupported(ITypeDescriptorContext? context) => true;

    public override bool GetStandardValuesExclusive(ITypeDescriptorContext? context) => false;

    public override StandardValuesCollection GetStandardValues(ITypeDescriptorContext? context) =>
        new(EnvironmentName.WellKnown.ToArray());
}
