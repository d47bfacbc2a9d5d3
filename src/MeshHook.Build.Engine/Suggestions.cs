namespace MeshHook.Build.Engine;

/// <summary>Finds the closest known name to a misspelt one ("did you mean ...?").</summary>
public static class Suggestions
{
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        var normalized = Normalize(input);
        var best = candidates
            .Select(candidate => (Candidate: candidate, Distance: Distance(normalized, Normalize(candidate))))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        if (best.Candidate is null)
            return null;
        // Accept a suggestion only when it is plausibly a typo, not just any name.
        var limit = Math.Max(2, normalized.Length / 3);
        return best.Distance <= limit || Normalize(best.Candidate).Contains(normalized) && normalized.Length >= 3
            ? best.Candidate
            : null;
    }

    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } closest ? $" Did you mean '{closest}'?" : string.Empty;

    /// <summary>Names compare without case, dashes and underscores: build-workers = BuildWorkers = BUILD_WORKERS.</summary>
    public static string Normalize(string name) =>
        new(name.TrimStart('-').Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

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
