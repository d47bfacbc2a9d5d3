using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>Ports <see cref="First"/> to <see cref="Last"/> inclusive; written <c>[41000, 41999]</c> in environment.json.</summary>
public readonly record struct PortRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => $"[{First}, {Last}]";

    /// <summary>
    /// Reads <c>[first, last]</c> under <paramref name="key"/>: two ports from <paramref name="minimum"/> to
    /// <paramref name="maximum"/>, first below last (two releases run side by side during a deploy: one port is not enough).
    /// </summary>
    internal static PortRange? Read(JsonSection section, string key, bool required, int minimum, int maximum)
    {
        var expected = $"[first, last]: two ports from {minimum} to {maximum}, at least 2 ports";
        if (section.Array(key, required, expected) is not { } items)
            return null;
        if (items.Count != 2)
        {
            section.Error(key, $"expected {expected}, got {items.Count} value(s).");
            return null;
        }
        var first = JsonSection.ReadInteger(items[0].Element, items[0].Path, minimum, maximum, section.Errors);
        var last = JsonSection.ReadInteger(items[1].Element, items[1].Path, minimum, maximum, section.Errors);
        if (first is null || last is null)
            return null;
        if (last <= first)
        {
            section.Error(key, $"[{first}, {last}] is not a range of at least 2 ports; allowed: {expected}, first below last.");
            return null;
        }
        return new PortRange(first.Value, last.Value);
    }
}
