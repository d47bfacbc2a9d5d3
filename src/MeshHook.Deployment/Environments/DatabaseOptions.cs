using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>database</c>: the Postgres database the release migrates and runs against.
/// <code>
/// "database": { "kind": "embedded" }                                        PGlite, data under .deploy/&lt;env&gt;/; local targets only
/// "database": { "kind": "external", "url": { "secret": "DATABASE_URL" } }   a connection string, always a secret
/// </code>
/// The deployer gives the apps the connection as DATABASE_URL: the configuration map never sets it.
/// </summary>
public sealed class DatabaseOptions
{
    public DatabaseKind Kind { get; init; }

    /// <summary>external: the connection string's secret.</summary>
    public SecretReference? Url { get; init; }

    internal static DatabaseOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var kind = section.Enum<DatabaseKind>("kind", required: true);
        DatabaseOptions? database = null;
        if (kind == DatabaseKind.External)
        {
            // A connection string holds a password: a plain string is refused, not just discouraged.
            const string expected = "a secret reference { \"secret\": \"DATABASE_URL\" } (a connection string holds a password)";
            if (section.Value("url", required: true, expected) is { } value)
            {
                var url = value.ValueKind == System.Text.Json.JsonValueKind.Object
                    ? SecretReference.Read(value, section.PathOf("url"), section.Errors)
                    : null;
                if (value.ValueKind != System.Text.Json.JsonValueKind.Object)
                    section.Error("url", $"expected {expected}, got {JsonSection.Describe(value)}.");
                if (url is not null)
                    database = new DatabaseOptions { Kind = DatabaseKind.External, Url = url };
            }
        }
        else if (kind is null)
            section.Has("url");
        else
        {
            section.Forbid("url", "an embedded database has no url: the deployer runs it and gives the apps its DATABASE_URL.");
            database = new DatabaseOptions { Kind = kind.Value };
        }
        section.RejectUnknownKeys();
        return database;
    }
}
