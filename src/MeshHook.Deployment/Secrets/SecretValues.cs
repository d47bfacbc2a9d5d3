using MeshHook.Tooling;

namespace MeshHook.Deployment.Secrets;

/// <summary>Rules every secret value meets before it is stored or handed out.</summary>
internal static class SecretValues
{
    /// <summary>
    /// Registers the value (and its encoded forms) with the masker; refuses values the masker would not mask (they would
    /// leak). <paramref name="source"/> names the environment and where the value came from.
    /// </summary>
    public static string Mask(SecretMasker masker, string name, string value, string source)
    {
        if (value.Trim().Length < SecretMasker.MinimumLength)
            throw new SecretException(
                $"The value of secret {name} ({source}) is shorter than {SecretMasker.MinimumLength} characters: a value that short " +
                "cannot be masked in the output without garbling it, so it is refused and nothing was changed. Use the real secret " +
                $"(at least {SecretMasker.MinimumLength} characters).");
        masker.Register(value);
        return value;
    }
}
