namespace MeshHook.Build.Engine;

/// <summary>A target: a property of the build class whose name is the target's name (NUKE's shape).</summary>
public delegate ITargetDefinition Target(ITargetDefinition _);
