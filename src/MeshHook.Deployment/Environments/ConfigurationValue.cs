using System.Text.Json;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>A value of the <c>configuration</c> map (or of notification settings): a plain string or a secret reference.</summary>
public sealed record ConfigurationValue
{
    ConfigurationValue(string? text, SecretReference? secret)
    {
        Text = text;
        Secret = secret;
    }

    /// <summary>The plain value; null for a secret reference.</summary>
    public string? Text { get; }

    /// <summary>The secret to resolve; null for a plain value.</summary>
    public SecretReference? Secret { get; }

    public bool IsSecret => Secret is not null;

    public static ConfigurationValue Plain(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    public static ConfigurationValue FromSecret(SecretReference secret) => new(null, secret ?? throw new ArgumentNullException(nameof(secret)));

    public override string ToString() => Secret?.ToString() ?? Text!;

    internal const string Expected = "a string or a secret reference { \"secret\": \"NAME\" }";

    internal static ConfigurationValue? Read(JsonElement element, string path, FileErrors errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Plain(element.GetString()!);
            case JsonValueKind.Object:
                return SecretReference.Read(element, path, errors) is { } secret ? FromSecret(secret) : null;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                // Environment variables are text: say how to write it rather than guessing a formatting.
                errors.Add(path, $"expected {Expected}, got {JsonSection.Describe(element)}; write it as a string: \"{element.GetRawText()}\".");
                return null;
            default:
                errors.Add(path, $"expected {Expected}, got {JsonSection.Describe(element)}.");
                return null;
        }
    }
}
