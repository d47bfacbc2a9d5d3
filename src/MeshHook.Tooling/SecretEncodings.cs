using System.Globalization;
using System.Net;
using System.Security;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MeshHook.Tooling;

/// <summary>
/// The forms a secret takes on its way into output, after the value encoders of the GitHub Actions runner's masker:
/// a program that prints a secret as JSON, in a URL, in base64 (e.g. a basic-auth header), in XML/HTML or escaped for a
/// command line shows none of the raw characters, so each of those forms is masked as well.
/// </summary>
public static partial class SecretEncodings
{
    /// <summary>
    /// The value and the parts of it that are secrets on their own: each line of a multi-line value (line-oriented output
    /// never shows it whole), the value without surrounding quotes, and the user info and password of every URL in it
    /// (<c>postgresql://user:PASSWORD@host</c>: the password shows alone in connection errors and tool output).
    /// </summary>
    public static IReadOnlyList<string> Parts(string value)
    {
        var parts = new List<string> { value };
        if (value.Contains('\n'))
            parts.AddRange(value.Split('\n').Select(x => x.TrimEnd('\r')));
        foreach (var part in parts.ToList())
        {
            if (part.Length > 2 && (part[0] == '"' && part[^1] == '"' || part[0] == '\'' && part[^1] == '\''))
                parts.Add(part[1..^1]);
            foreach (Match match in UrlUserInfo().Matches(part))
            {
                var userInfo = match.Groups["userinfo"].Value;
                parts.Add(userInfo);
                parts.Add(Uri.UnescapeDataString(userInfo));
                var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
                if (colon >= 0)
                {
                    parts.Add(userInfo[(colon + 1)..]);
                    parts.Add(Uri.UnescapeDataString(userInfo[(colon + 1)..]));
                }
            }
        }
        return parts.Where(x => x.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The value and every encoded form of it that is masked.</summary>
    public static IReadOnlyList<string> Forms(string value)
    {
        var forms = new List<string>
        {
            value,
            // JSON string contents: System.Text.Json's default (escapes & + ' " < > \ and non-ASCII, upper-case hex), other
            // writers' lower-case hex, and the relaxed escaping most tools use (node's JSON.stringify: only " \ and controls).
            JsonEncodedText.Encode(value).ToString(),
            LowerCaseHexEscapes().Replace(JsonEncodedText.Encode(value).ToString(), x => x.Value.ToLowerInvariant()),
            JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
            // Command lines: a double-quoted argument (\" and \\), and a single-quoted shell word (' becomes '\'').
            value.Replace("\"", "\\\"", StringComparison.Ordinal),
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal),
            value.Replace("'", "'\\''", StringComparison.Ordinal),
            // XML and HTML text.
            SecurityElement.Escape(value),
            WebUtility.HtmlEncode(value),
        };
        // URLs: RFC 3986 (Uri.EscapeDataString), JavaScript's encodeURIComponent and form encoding, each with %20 or + for
        // a space and upper- or lower-case hex.
        foreach (var unreserved in new[] { "-_.~", "-_.!~*'()", "-_.!*()" })
        {
            foreach (var plusForSpace in new[] { false, true })
            {
                forms.Add(PercentEncode(value, unreserved, plusForSpace, upperCase: true));
                forms.Add(PercentEncode(value, unreserved, plusForSpace, upperCase: false));
            }
        }
        forms.AddRange(Base64Forms(value));
        return forms.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The value's base64 wherever it starts in a longer stream: at a byte offset of 0, 1 or 2 modulo 3 its encoding is
    /// a different string, and the characters at either edge mix in the neighbouring bytes, so only the stable middle is
    /// masked (the runner's masker does the same). Also in the URL-safe alphabet (JWTs, URL tokens).
    /// </summary>
    public static IEnumerable<string> Base64Forms(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        // The value encoded alone, with its padding: masked whole, last character included.
        yield return Convert.ToBase64String(bytes);
        yield return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
        for (var offset = 0; offset < 3; offset++)
        {
            var shifted = new byte[offset + bytes.Length];
            bytes.CopyTo(shifted, offset);
            var encoded = Convert.ToBase64String(shifted).TrimEnd('=');
            // Leading characters that hold bits of the bytes before the value: none at offset 0, 2 at 1, 3 at 2.
            var skip = offset == 0 ? 0 : offset + 1;
            // The last character also holds bits of the byte after the value unless the value ends a 3-byte group.
            var drop = shifted.Length % 3 == 0 ? 0 : 1;
            if (encoded.Length - skip - drop <= 0)
                continue;
            var stable = encoded[skip..^drop];
            yield return stable;
            yield return stable.Replace('+', '-').Replace('/', '_');
        }
    }

    static string PercentEncode(string value, string unreserved, bool plusForSpace, bool upperCase)
    {
        var text = new StringBuilder(value.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || unreserved.Contains(c)))
                text.Append(c);
            else if (c == ' ' && plusForSpace)
                text.Append('+');
            else
                text.Append('%').Append(b.ToString(upperCase ? "X2" : "x2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    // scheme://userinfo@ : the user info ends at the last '@' before the path (a password may contain an unescaped '@').
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.\-]*://(?<userinfo>[^/?#\s@]*(?:@[^/?#\s@]*)*)@")]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"\\u[0-9A-F]{4}")]
    private static partial Regex LowerCaseHexEscapes();
}
