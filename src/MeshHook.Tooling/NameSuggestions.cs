namespace MeshHook.Tooling;

/// <summary>The closest known name to a misspelt one, for "did you mean ...?" hints.</summary>
public static class NameSuggestions
{
    public static string? Find(string input, IEnumerable<string> candidates)
    {
        var normalized = Normalize(input);
        if (normalized.Length == 0)
            return null;
        var known = candidates.ToList();
        // A fragment of a longer name ("prod", "vault") means that name more surely than a short name a few edits away.
        if (normalized.Length >= 3 && known.Where(x => Normalize(x).Contains(normalized, StringComparison.Ordinal)).OrderBy(x => x.Length).FirstOrDefault() is { } containing)
            return containing;
        var best = known
            .Select(candidate => (Candidate: candidate, Distance: Distance(normalized, Normalize(candidate))))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        // Only a plausible typo earns a suggestion, not merely the least different name.
        return best.Candidate is not null && best.Distance <= Math.Max(2, normalized.Length / 3) ? best.Candidate : null;
    }

    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Find(input, candidates) is { } closest ? $" Did you mean '{closest}'?" : string.Empty;

    // timeout_seconds, TimeoutSeconds and timeoutseconds are one name to a person typing it.
    public static string Normalize(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
