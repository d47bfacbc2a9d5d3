using System.Text.RegularExpressions;

namespace MeshHook.Deployment.Tests.Infrastructure;

/// <summary>Finds literals that look like secrets in text files: what must never be committed in infra/.</summary>
internal static partial class SecretLiteralScanner
{
    public sealed record Finding(string File, int Line, string Kind);

    static readonly (string Kind, Regex Pattern)[] Patterns =
    [
        ("private key", PrivateKey()),
        ("storage connection string (AccountKey=)", AccountKey()),
        ("SAS signature", SasSignature()),
        ("client_secret", ClientSecret()),
        ("password literal", PasswordLiteral()),
        ("GitHub token", GitHubToken()),
        ("long hex token", HexToken()),
        ("long base64 token", Base64Token()),
    ];

    public static IReadOnlyList<Finding> Scan(string file, string text)
    {
        var findings = new List<Finding>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var (kind, pattern) in Patterns)
            {
                if (pattern.IsMatch(lines[i]))
                    findings.Add(new Finding(file, i + 1, kind));
            }
        }
        return findings;
    }

    [GeneratedRegex("-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    [GeneratedRegex("AccountKey=", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKey();

    [GeneratedRegex(@"[?&]sig=[A-Za-z0-9%+/=]{16,}")]
    private static partial Regex SasSignature();

    [GeneratedRegex(@"\bclient_secret\b", RegexOptions.IgnoreCase)]
    private static partial Regex ClientSecret();

    // password = "literal", admin_password: "literal" (an interpolation "${...}", an empty string, or a key that only
    // names a secret, such as password_secret_name, is not a literal secret).
    [GeneratedRegex(@"\b\w*(password|passwd|pwd)""?\s*[=:]\s*""(?!\$\{)[^""]+""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordLiteral();

    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])")]
    private static partial Regex HexToken();

    // 40+ characters of the base64 alphabet with at least one digit and one upper- and lower-case letter.
    [GeneratedRegex(@"(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])[A-Za-z0-9+/]{40,}={0,2}")]
    private static partial Regex Base64Token();
}
