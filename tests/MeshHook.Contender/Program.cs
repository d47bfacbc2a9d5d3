using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Locking;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Secrets;
using MeshHook.Testing;
using MeshHook.Tooling;
using Azure.Storage.Blobs;

// MeshHook.Contender lock <lock file> <work folder> <name> <rounds>
//     each round: take the lock (waiting), enter the critical section (a marker only one may hold), add 1 to the shared
//     counter, leave, release. Exit 3 when another process was inside at the same time.
// MeshHook.Contender blob-lock <account url> <container> <certificate pem> <environment> <work folder> <name> <rounds>
//     the same with the cloud lock (a blob lease) in the test's Azurite.
// MeshHook.Contender blob-hold <account url> <container> <certificate pem> <environment> <work folder> <name>
//     takes the cloud lock with the shortest lease (15 s), writes <work folder>/held/<name>, then waits to be killed:
//     a deployer that dies holding the lock.
// MeshHook.Contender set-secret <repository> <key file> <work folder> <name>
//     stores the secret <name> (value "value-of-<name>") in the local environment's store, creating the key if needed.
// MeshHook.Contender ssh-deploy <spec.json>
//     a real ssh deployer that pauses after a named stage (prints PAUSED) to be killed there (see SshDeploy).
// All but blob-hold and ssh-deploy first write <work folder>/ready/<name> and wait for <work folder>/go, so all contenders start together.
return args switch
{
    ["lock", var lockFile, var work, var name, var rounds] => await Contender.LockAsync(lockFile, work, name, int.Parse(rounds)),
    ["blob-lock", var account, var container, var certificate, var environment, var work, var name, var rounds] =>
        await Contender.BlobLockAsync(EmulatorClients.Container(new Uri(account), container, certificate), environment, work, name, int.Parse(rounds)),
    ["blob-hold", var account, var container, var certificate, var environment, var work, var name] =>
        await Contender.BlobHoldAsync(EmulatorClients.Container(new Uri(account), container, certificate), environment, work, name),
    ["set-secret", var repository, var keyFile, var work, var name] => Contender.SetSecret(repository, keyFile, work, name),
    ["ssh-deploy", var spec] => await SshDeploy.RunAsync(spec),
    _ => Contender.Usage(),
};

static class Contender
{
    public static int Usage()
    {
        Console.Error.WriteLine("usage: MeshHook.Contender lock <lock file> <work> <name> <rounds> | set-secret <repository> <key file> <work> <name>" +
                                " | blob-lock <account url> <container> <certificate pem> <environment> <work> <name> <rounds>" +
                                " | blob-hold <account url> <container> <certificate pem> <environment> <work> <name>");
        return 2;
    }

    public static Task<int> LockAsync(string lockFile, string work, string name, int rounds) =>
        ContendAsync(new EnvironmentLock(lockFile, TimeProvider.System, TimeSpan.FromMilliseconds(2)), work, name, rounds);

    public static async Task<int> BlobLockAsync(BlobContainerClient container, string environment, string work, string name, int rounds)
    {
        await using var environmentLock = new BlobLeaseLock(container, environment, new SecretMasker(), TimeProvider.System,
            pollInterval: TimeSpan.FromMilliseconds(20));
        return await ContendAsync(environmentLock, work, name, rounds);
    }

    public static async Task<int> BlobHoldAsync(BlobContainerClient container, string environment, string work, string name)
    {
        var environmentLock = new BlobLeaseLock(container, environment, new SecretMasker(), TimeProvider.System, BlobLeaseLock.MinimumLeaseDuration);
        await environmentLock.AcquireAsync(Holder(name), TimeSpan.Zero, CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(work, "held"));
        File.WriteAllText(Path.Combine(work, "held", name), "");
        await Task.Delay(TimeSpan.FromMinutes(5));
        return 4;
    }

    static LockHolder Holder(string id) =>
        new(id, "deploy", null, Environment.ProcessId, ProcessIdentity.Current.StartTicks, Environment.MachineName, id, DateTimeOffset.UtcNow);

    /// <summary>
    /// Each round: take the lock (waiting), enter the critical section (a marker only one may hold), add 1 to the shared
    /// counter, leave, release. 3 when another process was inside at the same time.
    /// </summary>
    static async Task<int> ContendAsync(IEnvironmentLock environmentLock, string work, string name, int rounds)
    {
        var counter = Path.Combine(work, "counter");
        var inside = Path.Combine(work, "inside");
        StartTogether(work, name);
        for (var round = 0; round < rounds; round++)
        {
            var id = $"{name}-{round}";
            var holder = Holder(id) with { User = name };
            foreach (var warning in await environmentLock.AcquireAsync(holder, TimeSpan.FromMinutes(2), CancellationToken.None))
                Console.WriteLine($"{id}: warning: {warning}");
            try
            {
                using (new FileStream(inside, FileMode.CreateNew, FileAccess.Write))
                {
                }
            }
            catch (IOException)
            {
                Console.Error.WriteLine($"{id}: VIOLATION: another contender is inside the critical section ({File.ReadAllText(inside)}).");
                return 3;
            }
            File.WriteAllText(inside, id);
            var count = int.Parse(File.ReadAllText(counter));
            Thread.Yield();
            File.WriteAllText(counter, (count + 1).ToString());
            File.Delete(inside);
            await environmentLock.ReleaseAsync(id, CancellationToken.None);
        }
        return 0;
    }

    public static int SetSecret(string repository, string keyFile, string work, string name)
    {
        var variables = new Dictionary<string, string> { ["HOME"] = work, [SecretStore.KeyFileVariable] = keyFile };
        var store = SecretStore.Open(repository, EnvironmentName.Local, variables, new SecretMasker());
        StartTogether(work, name);
        store.Set(name, "value-of-" + name);
        return 0;
    }

    /// <summary>Says it is ready, then waits for the test's go (bounded: a test that died must not leave us waiting).</summary>
    static void StartTogether(string work, string name)
    {
        Directory.CreateDirectory(Path.Combine(work, "ready"));
        File.WriteAllText(Path.Combine(work, "ready", name), "");
        var go = Path.Combine(work, "go");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(go))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No go signal ({go}) within 60 s.");
            Thread.Sleep(1);
        }
    }
}
