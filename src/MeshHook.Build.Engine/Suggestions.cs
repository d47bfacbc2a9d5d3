using MeshHook.Tooling;

namespace MeshHook.Build.Engine;

/// <summary>Finds the closest known name to a misspelt one ("did you mean ...?"); the matching lives in Tooling.</summary>
public static class Suggestions
{
    public static string? Closest(string input, IEnumerable<string> candidates) => NameSuggestions.Find(input, candidates);

    public static string DidYouMean(string input, IEnumerable<string> candidates) => NameSuggestions.DidYouMean(input, candidates);

    /// <summary>Names compare without case, dashes and underscores: build-workers = BuildWorkers = BUILD_WORKERS.</summary>
    public static string Normalize(string name) => NameSuggestions.Normalize(name);
}
