using MeshHook.Deployment.Journal;

namespace MeshHook.Deployment.Tests.Reporting;

/// <summary>
/// A week of deployments whose DORA figures are worked out by hand (the comments give each step), with a failure across
/// midnight, an automatic rollback, a deploy undone by a Rollback, a cancelled deploy, a commit git does not know, a
/// redeploy of a commit already deployed, and a failure nothing has restored yet.
/// </summary>
internal static class KnownJournal
{
    public static readonly DateTimeOffset Now = GeneratedJournal.Utc("2026-12-01T12:00:00");

    /// <summary>The window: 7 days back from <see cref="Now"/> (from 2026-11-24 12:00 UTC).</summary>
    public const string Since = "7d";

    public const int Deployments = 11;

    public static readonly IReadOnlyDictionary<string, DateTimeOffset> CommitTimes = new Dictionary<string, DateTimeOffset>
    {
        ["c0c0c0c0"] = DateTimeOffset.Parse("2026-11-19T12:00:00+00:00"),
        ["c1c1c1c1"] = DateTimeOffset.Parse("2026-11-25T09:00:00+02:00"),   // 07:00 UTC
        ["c3c3c3c3"] = DateTimeOffset.Parse("2026-11-26T23:40:00-05:00"),   // 04:40 UTC on the 27th
        ["c5c5c5c5"] = DateTimeOffset.Parse("2026-11-30T05:02:00+09:00"),   // 20:02 UTC on the 29th
        // c8c8c8c8 is unknown to git
    };

    public const string SecretInError = "pw-7f3a-canary";

    public static void Write(GeneratedJournal journal)
    {
        // Before the window: marks c0 as deployed, counts for nothing.
        journal.Succeeded("d0", "deploy", "R0", "c0c0c0c0", U("2026-11-20T09:00:00"), 4);
        // Success: lead time 07:00 → 08:05 = 65 min.
        journal.Succeeded("d1", "deploy", "R1", "c1c1c1c1", U("2026-11-25T08:00:00"), 5);
        // Fails at migrate at 04:52 UTC (23:52 on the 26th in New York): a change failure.
        journal.Add("d2", "deploy", "R2", "c2c2c2c2", U("2026-11-27T04:50:00"),
            [("lock", 1, Outcomes.Succeeded, null), ("migrate", 119, Outcomes.Failed, "migration 0003 failed: password " + SecretInError + " rejected")],
            Outcomes.Failed, "deploy of R2 failed at 'migrate': migration 0003 failed: password " + SecretInError + " rejected", finishAfterStages: TimeSpan.FromMinutes(1));
        // Success after midnight in New York, finishing 05:10 UTC: restores d2 (04:52 → 05:10 = 18 min); lead time 04:40 → 05:10 = 30 min.
        journal.Succeeded("d3", "deploy", "R3", "c3c3c3c3", U("2026-11-27T05:05:00"), 5);
        // Verify fails at 22:03 after the switch, rolled back automatically and verified at 22:04: restore 1 min.
        journal.Add("d4", "deploy", "R4", "c4c4c4c4", U("2026-11-28T22:00:00"),
            [("lock", 1, Outcomes.Succeeded, null), ("start", 119, Outcomes.Succeeded, null), ("verify", 60, Outcomes.Failed, "verify: /health answered 503")],
            Outcomes.RolledBack, "verify: /health answered 503", finishAfterStages: TimeSpan.FromMinutes(1));
        // Success across midnight UTC (23:58 → 00:02): lead time 20:02 → 00:02 = 4 h ...
        journal.Succeeded("d5", "deploy", "R5", "c5c5c5c5", U("2026-11-29T23:58:00"), 4);
        // ... then undone by a Rollback to R3 finishing 01:01: d5 is a change failure, restored 00:02 → 01:01 = 59 min.
        journal.Succeeded("r6", "rollback", "R3", "c3c3c3c3", U("2026-11-30T01:00:00"), 1, previousRelease: "R5");
        // Cancelled: counted neither way.
        journal.Add("d7", "deploy", "R7", "c7c7c7c7", U("2026-11-30T10:00:00"), [("lock", 1, Outcomes.Succeeded, null)], "cancelled");
        // Success, but git does not know c8: no lead time.
        journal.Succeeded("d8", "deploy", "R8", "c8c8c8c8", U("2026-12-01T09:00:00"), 10);
        // Redeploy of c3 (already deployed): a deploy, but not a new change for the lead time.
        journal.Succeeded("d9", "deploy", "R3", "c3c3c3c3", U("2026-12-01T10:00:00"), 5);
        // Fails at start at 11:01; nothing healthy since: not restored.
        journal.Add("d10", "deploy", "R10", "cacacaca", U("2026-12-01T11:00:00"),
            [("lock", 1, Outcomes.Succeeded, null), ("start", 59, Outcomes.Failed, "web exited with code 1")], Outcomes.Failed, "web exited with code 1",
            finishAfterStages: TimeSpan.FromMinutes(1));
    }

    static DateTimeOffset U(string text) => GeneratedJournal.Utc(text);
}
