namespace MeshHook.Deployment.Environments;

/// <summary>Ports <see cref="First"/> to <see cref="Last"/> inclusive; written <c>[41000, 41999]</c> in environment.json.</summary>
public readonly record struct PortRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => $"[{First}, {Last}]";
}
