using MeshHook.Deployment.Journal;

namespace MeshHook.Deployment.Reporting;

/// <summary>
/// How the report reads an outcome written in the journal. Unknown outcomes (a newer writer's, e.g. <c>cancelled</c>)
/// are shown as written and counted neither as a success nor as a change failure.
/// </summary>
public static class ReportedOutcomes
{
    public static OutcomeCategory Categorize(string? outcome) => outcome switch
    {
        null => OutcomeCategory.Unfinished,
        Outcomes.Succeeded => OutcomeCategory.Success,
        Outcomes.Failed or Outcomes.RolledBack => OutcomeCategory.ChangeFailure,
        _ => OutcomeCategory.NotCounted,
    };

    /// <summary>Outcomes the report knows by name (anything else is listed on the page as unknown).</summary>
    public static bool IsKnown(string outcome) =>
        outcome is Outcomes.Succeeded or Outcomes.Failed or Outcomes.RolledBack or Outcomes.Aborted or Outcomes.NoChange or "cancelled";
}
