using System.Buffers;
using System.Text;

namespace MeshHook.Tooling;

/// <summary>
/// Replaces every registered secret value with <see cref="Mask"/> in text that is about to leave the process
/// (console, log files, journals, notifications). Thread-safe. Like the GitHub Actions runner's masker, each value is
/// also masked in the forms it takes when a program transforms it (<see cref="SecretEncodings"/>: JSON, URL, base64,
/// XML/HTML, command-line escaping), and the password of a URL-shaped value is a secret on its own. Wherever any of
/// these forms occur, the whole stretch they cover is masked, so a secret containing another is masked whole.
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "***";

    // Values shorter than this would mask ordinary words and digits all over the output (GitHub does the same).
    public const int MinimumLength = 3;

    readonly object _gate = new();
    string[] _secrets = [];
    Patterns _patterns = Patterns.Empty;

    /// <summary>Raised once for each newly registered value, so a host can tell its log viewer (e.g. ::add-mask::).</summary>
    public event Action<string>? SecretRegistered;

    /// <summary>The registered values (and the parts registered on their own: lines, URL passwords), longest first.</summary>
    public IReadOnlyCollection<string> Secrets => _secrets;

    /// <summary>Every form that is masked: the values and their encodings, longest first.</summary>
    public IReadOnlyCollection<string> MaskedForms => _patterns.Values;

    /// <summary>The longest masked form; writers hold back this many characters at most.</summary>
    public int LongestSecret => _patterns.Longest;

    public void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
            return;

        foreach (var part in SecretEncodings.Parts(secret).Where(x => x.Trim().Length >= MinimumLength))
        {
            lock (_gate)
            {
                if (_secrets.Contains(part, StringComparer.Ordinal))
                    continue;
                _secrets = _secrets.Append(part).OrderByDescending(x => x.Length).ToArray();
                var forms = SecretEncodings.Forms(part).Where(x => x.Trim().Length >= MinimumLength);
                _patterns = new Patterns(_patterns.Values.Union(forms, StringComparer.Ordinal));
            }
            SecretRegistered?.Invoke(part);
        }
    }

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? string.Empty;
        var patterns = _patterns;
        if (patterns.Search is not { } search)
            return text;
        var span = text.AsSpan();
        // One vectorised multi-string search finds where any form starts; the (rare) hits are then measured.
        var start = span.IndexOfAny(search);
        if (start < 0)
            return text;

        var result = new StringBuilder(text.Length);
        var emitted = 0;
        int maskStart = start, maskEnd = start;
        while (start >= 0)
        {
            var end = start + patterns.LongestAt(span, start);
            if (start < maskEnd)
            {
                maskEnd = Math.Max(maskEnd, end);
            }
            else
            {
                if (maskEnd > maskStart)
                    result.Append(span[emitted..maskStart]).Append(Mask);
                emitted = maskEnd > maskStart ? maskEnd : emitted;
                (maskStart, maskEnd) = (start, end);
            }
            var next = span[(start + 1)..].IndexOfAny(search);
            start = next < 0 ? -1 : start + 1 + next;
        }
        result.Append(span[emitted..maskStart]).Append(Mask).Append(span[maskEnd..]);
        return result.ToString();
    }

    /// <summary>
    /// The length of the longest suffix of <paramref name="text"/> that is a proper prefix of a masked form: those
    /// characters must be held back by a streaming writer until the next write shows whether the secret continues.
    /// </summary>
    public int PendingPrefixLength(string text)
    {
        if (text.Length == 0)
            return 0;
        var last = text[^1];
        var best = 0;
        foreach (var secret in _patterns.Values)
        {
            var max = Math.Min(secret.Length - 1, text.Length);
            for (var length = max; length > best; length--)
            {
                if (secret[length - 1] == last && text.AsSpan(text.Length - length).SequenceEqual(secret.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }
        return best;
    }

    /// <summary>An immutable snapshot of the masked forms, swapped whole on registration (readers never lock).</summary>
    sealed class Patterns
    {
        public static readonly Patterns Empty = new([]);

        public Patterns(IEnumerable<string> values)
        {
            Values = values.OrderByDescending(x => x.Length).ThenBy(x => x, StringComparer.Ordinal).ToArray();
            Longest = Values.Length == 0 ? 0 : Values[0].Length;
            Search = Values.Length == 0 ? null : SearchValues.Create(Values, StringComparison.Ordinal);
        }

        public string[] Values { get; }
        public int Longest { get; }
        public SearchValues<string>? Search { get; }

        /// <summary>The length of the longest form that starts at <paramref name="index"/> (values are longest first).</summary>
        public int LongestAt(ReadOnlySpan<char> text, int index)
        {
            var rest = text[index..];
            foreach (var value in Values)
            {
                if (rest.StartsWith(value, StringComparison.Ordinal))
                    return value.Length;
            }
            return 0;
        }
    }
}
