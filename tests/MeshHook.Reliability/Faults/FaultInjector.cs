using System.Diagnostics;
using MeshHook.Deployment.Stages;
using MeshHook.Tooling;

namespace MeshHook.Reliability.Faults;

public enum FaultKind
{
    /// <summary>The stage throws.</summary>
    Fail,

    /// <summary>The stage never finishes (until the process is killed or cancelled).</summary>
    Hang,

    /// <summary>The deploying process is killed (SIGKILL) after the stage's first step: a crash half-way.</summary>
    Kill,

    /// <summary>The new release's health check reports it unhealthy.</summary>
    Unhealthy,

    /// <summary>The migration fails.</summary>
    Migration,
}

/// <summary>
/// Chaos for the reliability harness (Polly's chaos strategies are the model): a required participant of the
/// <see cref="Deployer"/> (<see cref="Deployer.Participants"/>), so what it throws fails the stage exactly as a failing step
/// would, and a hang ends on the deploy's own token. It lives with the harness, not in the deploy flow: only the harness's
/// children (and the deployment tests that link this file) register it, from the environment variable
/// <c>MESHHOOK_FAULT=&lt;stage&gt;:&lt;fault&gt;</c> (e.g. <c>switch:kill</c>, <c>migrate:fail</c>, <c>clean up:hang</c>) or
/// <c>MESHHOOK_FAULT=unhealthy|migration</c>, which takes effect only together with <c>MESHHOOK_FAULT_INJECTION=enabled</c>.
/// </summary>
public sealed record FaultInjector(string Stage, FaultKind Kind) : IDeploymentObserver
{
    public const string Variable = "MESHHOOK_FAULT", Switch = "MESHHOOK_FAULT_INJECTION";

    /// <summary>Written to standard error (followed by the stage) when an injected hang begins.</summary>
    public const string HangAnnouncement = "injected fault: hanging until killed in stage ";

    public static FaultInjector? FromEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        if (variables.GetValueOrDefault(Switch) != "enabled" || variables.GetValueOrDefault(Variable) is not { Length: > 0 } text)
            return null;
        var parts = text.Split(':', 2);
        var kindText = parts.Length == 2 ? parts[1] : parts[0];
        if (!Enum.TryParse<FaultKind>(kindText, ignoreCase: true, out var kind) || parts.Length != 2 && kind is not (FaultKind.Unhealthy or FaultKind.Migration))
            throw new UserFacingException($"{Variable}={text} is not <stage>:<fail|hang|kill>, unhealthy or migration.");
        return new FaultInjector(parts.Length == 2 ? parts[0] : kind.ToString().ToLowerInvariant(), kind);
    }

    public bool Applies(string stage) => string.Equals(stage, Kind switch
    {
        FaultKind.Unhealthy => Deployment.Stages.Stage.HealthCheck,
        FaultKind.Migration => Deployment.Stages.Stage.Migrate,
        _ => Stage,
    }, StringComparison.OrdinalIgnoreCase);

    /// <summary>Before the stage's first step: fail, hang; a stage without steps also gets what follows its first step.</summary>
    public async Task StageStartingAsync(StageStarting stage, CancellationToken cancellationToken)
    {
        await InjectAsync(stage.Stage, afterFirstStep: false, cancellationToken);
        if (stage.Steps.Count == 0)
            await InjectAsync(stage.Stage, afterFirstStep: true, cancellationToken);
    }

    /// <summary>After the stage's first step: kill.</summary>
    public Task StepFinishedAsync(StepFinished step, CancellationToken cancellationToken) =>
        step.Index == 0 ? InjectAsync(step.Stage, afterFirstStep: true, cancellationToken) : Task.CompletedTask;

    async Task InjectAsync(string stage, bool afterFirstStep, CancellationToken cancellationToken)
    {
        if (!Applies(stage))
            return;
        switch (Kind)
        {
            case FaultKind.Fail when !afterFirstStep:
                throw new UserFacingException($"injected fault: {stage} fails");
            case FaultKind.Unhealthy when !afterFirstStep:
                throw new UserFacingException("injected fault: the new release reports status 'down' on /health");
            case FaultKind.Migration when !afterFirstStep:
                throw new UserFacingException("injected fault: a migration fails (ERROR: division by zero)");
            case FaultKind.Hang when !afterFirstStep:
                // The line is the harness's signal that the hang has begun (it kills the process then), so a busy machine
                // that takes long to reach the stage is never mistaken for a hang.
                Console.Error.WriteLine($"{HangAnnouncement}{stage}");
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case FaultKind.Kill when afterFirstStep:
                Process.GetCurrentProcess().Kill();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }
    }
}
