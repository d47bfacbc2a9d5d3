using System.Diagnostics;
using MeshHook.Deployment.Stages;
using MeshHook.Deployment.Tests.Deploying;
using MeshHook.Reliability;
using MeshHook.Reliability.Faults;

// MeshHook.Reliability harness [--runs N] [--seed S]          N deploys/rollbacks with random faults; prints the result line
// MeshHook.Reliability child <root> deploy <release> | rollback | status   one operation in an existing environment
return args switch
{
    ["child", var root, .. var rest] => await Child.RunAsync(root, rest),
    ["harness", .. var rest] => await Harness.RunAsync(HarnessOptions.Parse(rest)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MeshHook.Reliability harness [--runs N] [--seed S] | child <root> deploy <release>|rollback|status");
    return 2;
}

namespace MeshHook.Reliability
{
    /// <summary>One deploy, rollback or status in the harness's environment, with the fault named by MESHHOOK_FAULT.</summary>
    static class Child
    {
        public static async Task<int> RunAsync(string root, string[] args)
        {
            var variables = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(x => (string)x.Key, x => (string?)x.Value ?? "");
            await using var local = LocalDeployment.Attach(root);
            // The chaos is this harness's, registered by its own child: no fault exists in a production deploy's flow.
            if (FaultInjector.FromEnvironment(variables) is { } fault)
                local.Environment.Participants.Add(fault);
            try
            {
                switch (args)
                {
                    case ["deploy", var release]:
                        await local.Environment.DeployAsync(local.Store.Get(release), LocalDeployment.Options(), CancellationToken.None);
                        break;
                    case ["rollback"]:
                        await local.Environment.RollbackAsync(null, LocalDeployment.Options(), CancellationToken.None);
                        break;
                    case ["status"]:
                        await local.Environment.RecoverIfInterruptedAsync("status", CancellationToken.None);
                        break;
                    default:
                        return 2;
                }
                return 0;
            }
            catch (Exception exception) when (exception is MeshHook.Tooling.UserFacingException)
            {
                Console.Error.WriteLine(exception.Message);
                return 1;
            }
            finally
            {
                foreach (var line in local.Output)
                    Console.WriteLine(line);
            }
        }
    }

    sealed record HarnessOptions(int Runs, int Seed)
    {
        public static HarnessOptions Parse(string[] args)
        {
            var runs = 30;
            var seed = Environment.TickCount & 0x7fffffff;
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                if (args[i] == "--runs")
                    runs = int.Parse(args[i + 1]);
                else if (args[i] == "--seed")
                    seed = int.Parse(args[i + 1]);
                else
                    throw new ArgumentException($"unknown option {args[i]}");
            }
            return new HarnessOptions(runs, seed);
        }
    }
}
