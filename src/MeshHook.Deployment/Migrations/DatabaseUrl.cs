namespace MeshHook.Deployment.Migrations;

/// <summary>A PostgreSQL connection URL (postgres[ql]://user:password@host:port/db?...) and its password.</summary>
public static class DatabaseUrl
{
    /// <summary>
    /// The URL without its password, and the password (percent-decoded, as libpq reads it), or null when it has none.
    /// Anything that is not a URL with user information is returned unchanged.
    /// </summary>
    public static (string Url, string? Password) SplitPassword(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
            return (url, null);
        var authorityStart = scheme + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? url[authorityStart..] : url[authorityStart..authorityEnd];
        // The host part follows the last '@' (a password may hold an unencoded one).
        var at = authority.LastIndexOf('@');
        if (at < 0)
            return (url, null);
        var userInfo = authority[..at];
        var colon = userInfo.IndexOf(':');
        if (colon < 0)
            return (url, null);
        var password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        var rest = authorityEnd < 0 ? "" : url[authorityEnd..];
        return (url[..authorityStart] + userInfo[..colon] + authority[at..] + rest, password);
    }

    /// <summary>The URL with <paramref name="password"/> put in (percent-encoded), replacing any it had.</summary>
    public static string WithPassword(string url, string password)
    {
        var (bare, _) = SplitPassword(url);
        var scheme = bare.IndexOf("://", StringComparison.Ordinal) + 3;
        var at = bare.IndexOf('@', scheme);
        if (scheme < 3 || at < 0)
            throw new ArgumentException("The URL has no user to give a password to.", nameof(url));
        return bare[..at] + ":" + Uri.EscapeDataString(password) + bare[at..];
    }
}
