using System.Globalization;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MeshHook.Edge;

/// <summary>The YARP configuration of the edge: one catch-all route to one cluster with at most one destination.</summary>
internal static class EdgeProxyConfig
{
    public const string RouteId = "edge";
    public const string ClusterId = "active";
    public const string DestinationId = "active";

    public const string ReleaseKey = "release";
    public const string UpstreamKey = "upstream";
    public const string SwitchedAtKey = "switchedAt";
    public const string LoadedAtKey = "loadedAt";

    /// <summary>Generous: a slow request is not failed by the edge (activity = no bytes moving either way).</summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(100);

    public static IReadOnlyList<RouteConfig> Routes { get; } =
    [
        new RouteConfig
        {
            RouteId = RouteId,
            ClusterId = ClusterId,
            // After the edge's own /_edge/ endpoints (order 0), whatever their precedence.
            Order = 1000,
            Match = new RouteMatch { Path = "/{**catch-all}" },
        },
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(EdgeState? state, DateTimeOffset loadedAt)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        if (state is not null)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ReleaseKey] = state.Release,
                [UpstreamKey] = state.Upstream.OriginalString,
                [LoadedAtKey] = loadedAt.ToString("O", CultureInfo.InvariantCulture),
            };
            if (state.SwitchedAt is not null)
            {
                metadata[SwitchedAtKey] = state.SwitchedAt;
            }

            destinations[DestinationId] = new DestinationConfig
            {
                Address = state.Upstream.OriginalString,
                Metadata = metadata,
            };
        }

        return
        [
            new ClusterConfig
            {
                ClusterId = ClusterId,
                // Kept identical across switches so YARP keeps its HttpClient (and its pooled connections).
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = ActivityTimeout },
                Destinations = destinations,
            },
        ];
    }

    /// <summary>The destination YARP actually routes to right now (its applied state, not what was last asked for).</summary>
    public static IReadOnlyDictionary<string, string>? ActiveDestination(IProxyStateLookup lookup)
    {
        if (!lookup.TryGetCluster(ClusterId, out var cluster))
        {
            return null;
        }

        var all = cluster.DestinationsState?.AllDestinations;
        if (all is null || all.Count == 0)
        {
            return null;
        }

        return all[0].Model.Config.Metadata;
    }
}
