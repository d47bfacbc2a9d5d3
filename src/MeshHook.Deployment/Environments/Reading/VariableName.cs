using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Environments.Reading;

/// <summary>
/// Names of configuration keys and secrets: environment variable names as every shell, env file and Key Vault mapping
/// accepts them (upper case, digits, '_', not starting with a digit).
/// </summary>
internal static partial class VariableName
{
    /// <summary>The same rule as a JSON Schema (ECMAScript) pattern.</summary>
    public const string Pattern = "^[A-Z_][A-Z0-9_]*$";

    public const string Rule = "upper-case letters, digits and '_', not starting with a digit";

    public static bool IsValid(string? name) => name is not null && Regex().IsMatch(name);

    /// <summary>The message for an invalid name, with the valid spelling when there is one.</summary>
    public static string Problem(string name)
    {
        var fixedName = new string(name.Trim().Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray());
        var hint = IsValid(fixedName) && fixedName != name ? $" (e.g. {fixedName})" : string.Empty;
        return $"'{name}' is not a valid name; allowed: {Rule}{hint}.";
    }

    // \z, not $: .NET's $ also matches before a final line break.
    [GeneratedRegex(@"^[A-Z_][A-Z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Regex();
}
