using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>A role a host plays: it serves the web (behind its edge) and/or runs the workers.</summary>
public enum SshRole
{
    Web,
    Workers,
}

/// <summary>One server of an ssh target.</summary>
public sealed record SshHost(string Address, int Port, string User, IReadOnlyList<SshRole> Roles)
{
    /// <summary>This host's own deploy path when it differs from target.deployPath (a host with another disk layout).</summary>
    public string? DeployPath { get; init; }

    /// <summary>user@address:port, the way the output and the journal name the host.</summary>
    public string Name => $"{User}@{Address}:{Port}";
}

/// <summary>
/// <c>target</c> when <c>kind</c> is <c>ssh</c>: your own servers, reached over SSH.
/// <code>
/// "target": {
///   "kind": "ssh",
///   "hosts": [ { "address": "10.0.0.5", "port": 22, "user": "deploy", "roles": ["web", "workers"] } ],
///   "deployPath": "/srv/meshhook",
///   "key": { "secret": "SSH_PRIVATE_KEY" },
///   "knownHosts": "10.0.0.5 ssh-ed25519 AAAA...",            // or per host "hostKey": "SHA256:..."
///   "bootLimit": 1, "edgePort": 8480,
///   "releasePorts": [41000, 41999]                           // optional; this is the default
/// }
/// </code>
/// Every host is pinned: its host key must match a <c>knownHosts</c> line for its address (<c>[address]:port</c> when the
/// port is not 22) or its <c>hostKey</c> fingerprint; an unknown or changed key refuses the connection.
/// </summary>
public sealed partial record SshTargetOptions
{
    public const int MinimumPort = 1, MaximumPort = 65535;

    public required IReadOnlyList<SshHost> Hosts { get; init; }

    /// <summary>Absolute path on every host: releases/&lt;id&gt;/, current, shared/ as under .deploy/&lt;env&gt;/ locally.</summary>
    public required string DeployPath { get; init; }

    /// <summary>The private key (OpenSSH format) every host accepts, resolved by the secrets provider.</summary>
    public required SecretReference Key { get; init; }

    /// <summary>SHA256 fingerprints (as <c>ssh-keygen -l</c> prints them, "SHA256:...") accepted per host name.</summary>
    public required IReadOnlyDictionary<SshHost, IReadOnlyList<string>> HostKeys { get; init; }

    /// <summary>How many hosts switch to the new release at a time.</summary>
    public int BootLimit { get; init; } = 1;

    /// <summary>The port each host's edge listens on (on the host's address).</summary>
    public int EdgePort { get; init; } = 8480;

    /// <summary>
    /// Where release processes listen on each host (on 127.0.0.1, behind the host's edge): random free ports of this range.
    /// The default lies below Linux's ephemeral range (32768-60999): a port the OS hands out for port 0 is an ephemeral one,
    /// which any outgoing connection on the host (to the database, a health poll) may take between the probe and the
    /// release's start, and the release then cannot bind. Two environments deployed to the same host should each have a
    /// range of their own: two probes at the same moment can pick the same free port.
    /// </summary>
    public PortRange ReleasePorts { get; init; } = DefaultReleasePorts;

    /// <summary>The default <see cref="ReleasePorts"/>, the local target's default range too.</summary>
    public static PortRange DefaultReleasePorts { get; } = new(41000, 41999);

    /// <summary>
    /// The deployment-state container (https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;) holding the lock (a
    /// blob lease) and the journal (append blobs), signed in with Entra ID as the containerApps target does; null: both on
    /// the first host.
    /// </summary>
    public Uri? State { get; init; }

    internal static SshTargetOptions? Read(JsonSection section)
    {
        var errors = section.Errors.Count;
        var hosts = ReadHosts(section);
        var deployPath = ReadDeployPath(section, required: true);
        var key = section.Value("key", required: true, "a secret reference { \"secret\": \"NAME\" } to the private key") is { } keyElement
            ? SecretReference.Read(keyElement, section.PathOf("key"), section.Errors)
            : null;
        var knownHosts = section.String("knownHosts", required: false, "known_hosts lines: '<address or [address]:port> <key type> <base64 key>'");
        var bootLimit = section.Integer("bootLimit", required: false, 1, 1000) ?? 1;
        var edgePort = section.Integer("edgePort", required: true, 1024, MaximumPort);
        var releasePorts = PortRange.Read(section, "releasePorts", required: false, 1024, MaximumPort);
        if (edgePort is { } edge && (releasePorts ?? DefaultReleasePorts) is var ports && ports.Contains(edge))
            section.Error("edgePort", $"{edge} is inside target.releasePorts {ports}{(releasePorts is null ? " (the default)" : "")}; " +
                                      "the edge port must be outside the releases' ports.");
        var state = section.String("state", required: false, "the deployment-state container URL (https://<account>.blob.core.windows.net/<container>)",
            x => TargetOptions.StateContainer().IsMatch(x) ? null
                : $"'{x}' is not a deployment-state container URL; expected https://<account>.blob.core.windows.net/<container> " +
                  "(infra output deployment_state_url), or leave state out to keep the lock and journal on the first host.");
        section.RejectUnknownKeys();

        var pinned = new Dictionary<SshHost, IReadOnlyList<string>>();
        if (hosts is not null)
        {
            var known = knownHosts is null ? [] : ParseKnownHosts(knownHosts, section);
            for (var index = 0; index < hosts.Count; index++)
            {
                var (host, fingerprint) = hosts[index];
                var keys = known.Where(x => x.Pattern == KnownHostsName(host)).Select(x => x.Fingerprint).ToList();
                if (fingerprint is not null)
                    keys.Add(fingerprint);
                if (keys.Count == 0)
                    section.Error($"hosts[{index}]", $"{host.Name} has no pinned host key: add a knownHosts line for '{KnownHostsName(host)}' " +
                                                     "(ssh-keyscan -p PORT ADDRESS prints it) or \"hostKey\": \"SHA256:...\" (ssh-keygen -lf the host's key).");
                pinned[host] = keys;
            }
            if (bootLimit > hosts.Count && hosts.Count > 0)
                section.Error("bootLimit", $"{bootLimit} is more than the {hosts.Count} host(s); allowed: 1 to {hosts.Count}.");
            var duplicates = hosts.GroupBy(x => (x.Host.Address, x.Host.Port)).Where(x => x.Count() > 1).Select(x => x.Key).ToList();
            foreach (var (address, port) in duplicates)
                section.Error("hosts", $"{address}:{port} is listed more than once; each host once.");
            // Only when every host was read: a host with a bad role would otherwise also be reported as missing its role.
            var allRead = section.Errors.Count == errors;
            if (allRead && !hosts.Any(x => x.Host.Roles.Contains(SshRole.Web)))
                section.Error("hosts", "no host has the role web: at least one host must serve the web.");
            if (allRead && !hosts.Any(x => x.Host.Roles.Contains(SshRole.Workers)))
                section.Error("hosts", "no host has the role workers: at least one host must run the workers.");
        }
        if (section.Errors.Count > errors || hosts is null || deployPath is null || key is null || edgePort is null)
            return null;
        return new SshTargetOptions
        {
            Hosts = hosts.Select(x => x.Host).ToList(),
            DeployPath = deployPath.TrimEnd('/'),
            Key = key,
            HostKeys = pinned,
            BootLimit = bootLimit,
            EdgePort = edgePort.Value,
            ReleasePorts = releasePorts ?? DefaultReleasePorts,
            State = state is null ? null : new Uri(state),
        };
    }

    /// <summary>Where a host keeps the layout: its own deployPath, else target.deployPath.</summary>
    public string PathOf(SshHost host) => host.DeployPath ?? DeployPath;

    /// <summary>How known_hosts names a host: the address, or [address]:port when the port is not 22.</summary>
    public static string KnownHostsName(SshHost host) => host.Port == 22 ? host.Address : $"[{host.Address}]:{host.Port}";

    static List<(SshHost Host, string? Fingerprint)>? ReadHosts(JsonSection section)
    {
        const string expected = "a list of hosts { \"address\", \"port\", \"user\", \"roles\": [\"web\", \"workers\"] }";
        if (section.Array("hosts", required: true, expected) is not { } items)
            return null;
        if (items.Count == 0)
        {
            section.Error("hosts", $"is empty; expected {expected}, at least one.");
            return null;
        }
        var hosts = new List<(SshHost, string?)>();
        foreach (var (path, element) in items)
        {
            if (JsonSection.From(element, path, section.Errors, expected) is not { } host)
                continue;
            var address = host.String("address", required: true, "a host name or IP address",
                x => HostAddress().IsMatch(x) ? null : $"'{x}' is not a host name or IP address; allowed: letters, digits, '.', '-', ':'.");
            var port = host.Integer("port", required: false, MinimumPort, MaximumPort) ?? 22;
            var user = host.String("user", required: true, "a user name on the host",
                x => UserName().IsMatch(x) ? null : $"'{x}' is not a user name; allowed: 1-32 lower-case letters, digits, '_', '-', starting with a letter or '_'.");
            var roles = ReadRoles(host);
            var fingerprint = host.String("hostKey", required: false, "a SHA256 host key fingerprint, e.g. SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
                x => Fingerprint().IsMatch(x) ? null : $"'{x}' is not a SHA256 fingerprint; allowed: SHA256:<43 base64 characters> (ssh-keygen -lf KEY prints it).");
            var ownPath = ReadDeployPath(host, required: false);
            host.RejectUnknownKeys();
            if (address is not null && user is not null && roles is not null)
                hosts.Add((new SshHost(address, port, user, roles) { DeployPath = ownPath }, fingerprint));
        }
        return hosts;
    }

    static string? ReadDeployPath(JsonSection section, bool required) =>
        section.String("deployPath", required, "an absolute path on the hosts, e.g. /srv/meshhook",
            x => DeployPathPattern().IsMatch(x) && !x.Split('/').Any(p => p is "." or "..")
                ? null
                : $"'{x}' is not allowed; allowed: an absolute path of letters, digits, '/', '.', '_', '-' without '.' or '..' parts (e.g. /srv/meshhook).")
            ?.TrimEnd('/');

    static IReadOnlyList<SshRole>? ReadRoles(JsonSection host)
    {
        const string expected = "[\"web\"], [\"workers\"] or [\"web\", \"workers\"]";
        if (host.Array("roles", required: true, expected) is not { } items)
            return null;
        var roles = new List<SshRole>();
        foreach (var (path, element) in items)
        {
            var text = element.ValueKind == System.Text.Json.JsonValueKind.String ? element.GetString() : null;
            SshRole? role = text switch { "web" => SshRole.Web, "workers" => SshRole.Workers, _ => null };
            if (role is null || roles.Contains(role.Value))
            {
                host.Errors.Add(path, role is null ? $"{(text is null ? JsonSection.Describe(element) : $"\"{text}\"")} is not a role; allowed: \"web\", \"workers\"." : $"\"{text}\" is listed twice.");
                return null;
            }
            roles.Add(role.Value);
        }
        if (roles.Count == 0)
        {
            host.Error("roles", $"is empty; expected {expected}.");
            return null;
        }
        return roles;
    }

    static List<(string Pattern, string Fingerprint)> ParseKnownHosts(string text, JsonSection section)
    {
        var entries = new List<(string, string)>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts[0].StartsWith("|1|", StringComparison.Ordinal))
            {
                section.Error("knownHosts", $"line {number} is hashed (ssh-keyscan -H): hashed names cannot be matched to hosts; use ssh-keyscan without -H.");
                continue;
            }
            if (parts[0].StartsWith('@'))
            {
                section.Error("knownHosts", $"line {number} has a marker ({parts[0]}); allowed: plain '<host> <key type> <base64 key>' lines.");
                continue;
            }
            byte[]? blob = null;
            if (parts.Length >= 3)
            {
                blob = new byte[parts[2].Length];
                if (!Convert.TryFromBase64String(parts[2], blob, out var written))
                    blob = null;
                else
                    blob = blob[..written];
            }
            if (blob is null)
            {
                section.Error("knownHosts", $"line {number} is not '<address or [address]:port> <key type> <base64 key>'.");
                continue;
            }
            var fingerprint = FingerprintOf(blob);
            foreach (var pattern in parts[0].Split(','))
                entries.Add((pattern, fingerprint));
        }
        return entries;
    }

    /// <summary>The SHA256 fingerprint of a public key blob, as OpenSSH prints it ("SHA256:" + unpadded base64).</summary>
    public static string FingerprintOf(byte[] publicKeyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(publicKeyBlob)).TrimEnd('=');

    [GeneratedRegex(@"^/[A-Za-z0-9/._-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DeployPathPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostAddress();

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,31}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();

    [GeneratedRegex(@"^SHA256:[A-Za-z0-9+/]{43}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Fingerprint();
}
