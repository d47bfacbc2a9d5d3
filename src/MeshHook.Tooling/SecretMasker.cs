namespace MeshHook.Tooling;

/// <summary>
/// Replaces every registered secret value with <see cref="Mask"/> in text that is about to leave the process
/// (console, log files, journals, notifications). Thread-safe; longest secrets are replaced first so that a
/// secret containing another is masked whole.
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "***";

    // Values shorter than this would mask ordinary words and digits all over the output (GitHub does the same).
    public const int MinimumLength = 3;

    readonly object _gate = new();
    string[] _secrets = [];

    /// <summary>Raised once for each newly registered value, so a host can tell its log viewer (e.g. ::add-mask::).</summary>
    public event Action<string>? SecretRegistered;

    public IReadOnlyCollection<string> Secrets => _secrets;

    /// <summary>The longest registered secret; writers hold back this many characters at most.</summary>
    public int LongestSecret { get; private set; }

    public void Register(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
            return;

        var parts = new List<string> { secret };
        // A multi-line value is also masked line by line: line-oriented output never shows it whole.
        if (secret.Contains('\n'))
            parts.AddRange(secret.Split('\n').Select(x => x.TrimEnd('\r')));

        foreach (var part in parts.Where(x => x.Trim().Length >= MinimumLength))
        {
            lock (_gate)
            {
                if (_secrets.Contains(part, StringComparer.Ordinal))
                    continue;
                _secrets = _secrets.Append(part).OrderByDescending(x => x.Length).ToArray();
                LongestSecret = Math.Max(LongestSecret, part.Length);
            }
            SecretRegistered?.Invoke(part);
        }
    }

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? string.Empty;
        var secrets = _secrets;
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>
    /// The length of the longest suffix of <paramref name="text"/> that is a proper prefix of a secret: those characters
    /// must be held back by a streaming writer until the next write shows whether the secret continues.
    /// </summary>
    public int PendingPrefixLength(string text)
    {
        var secrets = _secrets;
        var best = 0;
        foreach (var secret in secrets)
        {
            var max = Math.Min(secret.Length - 1, text.Length);
            for (var length = max; length > best; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(secret.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }
        return best;
    }
}
