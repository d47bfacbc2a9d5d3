using System.Text.Json;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>protection</c>: who may deploy what to the environment.
/// <code>"protection": { "requireApproval": true, "allowDirtyReleases": false, "allowedDeployers": ["octocat"] }</code>
/// </summary>
public sealed class ProtectionOptions
{
    /// <summary>A deployment waits for an approval (the GitHub environment's required reviewers in CI).</summary>
    public bool RequireApproval { get; init; }

    /// <summary>Releases built from a working tree with uncommitted changes may be deployed.</summary>
    public bool AllowDirtyReleases { get; init; }

    /// <summary>Who may deploy (user names); empty: anyone who can run the deployment.</summary>
    public IReadOnlyList<string> AllowedDeployers { get; init; } = [];

    public bool Allows(string deployer) =>
        AllowedDeployers.Count == 0 || AllowedDeployers.Contains(deployer, StringComparer.OrdinalIgnoreCase);

    internal static ProtectionOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var protection = new ProtectionOptions
        {
            RequireApproval = section.Boolean("requireApproval", required: false) ?? false,
            AllowDirtyReleases = section.Boolean("allowDirtyReleases", required: false) ?? false,
            AllowedDeployers = ReadDeployers(section),
        };
        section.RejectUnknownKeys();
        return protection;
    }

    static IReadOnlyList<string> ReadDeployers(JsonSection section)
    {
        var deployers = new List<string>();
        foreach (var (path, element) in section.Array("allowedDeployers", required: false, "an array of user names") ?? [])
        {
            if (element.ValueKind != JsonValueKind.String || element.GetString()!.Trim().Length == 0)
                section.Errors.Add(path, $"expected a user name (a non-empty string), got {(element.ValueKind == JsonValueKind.String ? "an empty string" : JsonSection.Describe(element))}.");
            else if (deployers.Contains(element.GetString()!, StringComparer.OrdinalIgnoreCase))
                section.Errors.Add(path, $"'{element.GetString()}' is listed twice; list each deployer once.");
            else
                deployers.Add(element.GetString()!);
        }
        return deployers;
    }
}
