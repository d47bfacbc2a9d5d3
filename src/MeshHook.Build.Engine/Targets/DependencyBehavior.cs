namespace MeshHook.Build.Engine;

/// <summary>What happens to a target's dependencies when the target itself is skipped.</summary>
public enum DependencyBehavior
{
    /// <summary>Dependencies that nothing else scheduled needs are skipped too (the default).</summary>
    Skip,

    /// <summary>Dependencies run anyway.</summary>
    Execute,
}
