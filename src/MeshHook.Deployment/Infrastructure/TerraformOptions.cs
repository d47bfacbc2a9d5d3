namespace MeshHook.Deployment.Infrastructure;

/// <summary>How TerraformPlan and TerraformApply behave; validated before anything runs.</summary>
public sealed record TerraformOptions
{
    /// <summary>How long Terraform waits for the state lock held by another run (-lock-timeout).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Let a plan delete or replace stateful resources in a protected environment (--allow-destroy).</summary>
    public bool AllowDestroy { get; init; }

    /// <summary>A saved plan older than this is stale: the world it was made against has likely moved on.</summary>
    public TimeSpan PlanMaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Extra variables for every terraform process (a null value removes an inherited one).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public void Validate()
    {
        if (LockTimeout < TimeSpan.Zero)
            throw new InfrastructureException($"The Terraform lock timeout must not be negative (got {LockTimeout}).");
        if (PlanMaxAge <= TimeSpan.Zero)
            throw new InfrastructureException($"The maximum age of a saved plan must be positive (got {PlanMaxAge}).");
    }
}
