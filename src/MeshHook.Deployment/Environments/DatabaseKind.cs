using System.Text.Json.Serialization;

namespace MeshHook.Deployment.Environments;

/// <summary>What database an environment uses (<c>database.kind</c>).</summary>
public enum DatabaseKind
{
    /// <summary>An embedded Postgres (PGlite) whose data lives under .deploy/&lt;env&gt;/; local targets only.</summary>
    [JsonStringEnumMemberName("embedded")]
    Embedded,

    /// <summary>A Postgres server reached by a connection string (<c>database.url</c>, always a secret).</summary>
    [JsonStringEnumMemberName("external")]
    External,
}
