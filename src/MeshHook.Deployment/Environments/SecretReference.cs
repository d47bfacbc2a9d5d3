using System.Text.Json;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>{ "secret": "NAME" }</c>: a value kept out of the repository, resolved by the environment's secrets provider when a
/// deployment needs it. NAME follows the rules of environment variable names (upper case, digits, '_').
/// </summary>
public sealed record SecretReference
{
    public SecretReference(string name)
    {
        if (!VariableName.IsValid(name))
            throw new ArgumentException(VariableName.Problem(name), nameof(name));
        Name = name;
    }

    public string Name { get; }

    public override string ToString() => $"{{ \"secret\": \"{Name}\" }}";

    /// <summary>Reads a reference object, recording problems; null when it is not a valid reference.</summary>
    internal static SecretReference? Read(JsonElement element, string path, FileErrors errors)
    {
        if (JsonSection.From(element, path, errors, "a secret reference { \"secret\": \"NAME\" }") is not { } section)
            return null;
        var name = section.String("secret", required: true, $"the secret's name ({VariableName.Rule})",
            x => VariableName.IsValid(x) ? null : VariableName.Problem(x));
        section.RejectUnknownKeys();
        return name is null ? null : new SecretReference(name);
    }
}
