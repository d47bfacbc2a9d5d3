using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>Rules every secret value meets before it is stored or handed out.</summary>
internal static class SecretValues
{
    /// <summary>Registers the value with the masker; refuses values the masker would not mask (they would leak).</summary>
    public static string Mask(SecretMasker masker, string name, string value, string source)
    {
        if (value.Trim().Length < SecretMasker.MinimumLength)
            throw new SecretException(
                $"The value of secret {name} ({source}) is shorter than {SecretMasker.MinimumLength} characters: too short to be masked in " +
                "the output, so it is refused. Use a real secret value.");
        masker.Register(value);
        return value;
    }
}
