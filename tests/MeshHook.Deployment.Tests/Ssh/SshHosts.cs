using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Tests.Releases;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// Real OpenSSH servers on loopback addresses (127.0.0.2, 127.0.0.3, ...), each with its own host key, port, log and
/// deploy root, accepting one generated client key. Started and stopped by the tests (bounded waits), and tied to the
/// test run: sshd inherits MESHHOOK_TEST_OWNER and hands it to every session (SetEnv), so the run's guard reaps them.
/// </summary>
public sealed class SshHosts : IAsyncDisposable
{
    public const string Sshd = "/usr/sbin/sshd";
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    readonly TempDirectory _temp = new();
    readonly List<Server> _servers = [];

    public string ClientKey { get; private set; } = "";
    public IReadOnlyList<Server> Servers => _servers;
    public string Root => _temp.Path;

    public sealed class Server
    {
        public required SshHost Host { get; init; }
        public required string Directory { get; init; }
        public required string ConfigFile { get; init; }
        public string DeployPath => Path.Combine(Directory, "deploy");
        public string LogFile => Path.Combine(Directory, "sshd.log");
        public string HostKeyFile => Path.Combine(Directory, "ssh_host_ed25519_key");
        internal Process? Process { get; set; }

        /// <summary>The known_hosts line pinning this server's current key.</summary>
        public string KnownHostsLine => $"{SshTargetOptions.KnownHostsName(Host)} {string.Join(' ', File.ReadAllText(HostKeyFile + ".pub").Split(' ').Take(2))}";

        public string Fingerprint => SshTargetOptions.FingerprintOf(Convert.FromBase64String(File.ReadAllText(HostKeyFile + ".pub").Split(' ')[1]));
    }

    public static async Task<SshHosts> StartAsync(int count, CancellationToken cancellationToken)
    {
        if (!File.Exists(Sshd))
            throw new InvalidOperationException($"{Sshd} is missing: the ssh target's tests run real OpenSSH servers. Install it with: " +
                                                "apt-get install -y openssh-server (./build.sh Restore does this when running as root).");
        System.IO.Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation directory
        var hosts = new SshHosts();
        try
        {
            await KeyGenAsync(Path.Combine(hosts.Root, "client"), cancellationToken);
            hosts.ClientKey = File.ReadAllText(Path.Combine(hosts.Root, "client"));
            File.Copy(Path.Combine(hosts.Root, "client.pub"), Path.Combine(hosts.Root, "authorized_keys"));
            for (var index = 0; index < count; index++)
            {
                var address = $"127.0.0.{index + 2}";
                var directory = Path.Combine(hosts.Root, $"host{index + 1}");
                System.IO.Directory.CreateDirectory(directory);
                var server = new Server
                {
                    Host = new SshHost(address, FreePort(address), Environment.UserName, [SshRole.Web, SshRole.Workers]),
                    Directory = directory,
                    ConfigFile = Path.Combine(directory, "sshd_config"),
                };
                System.IO.Directory.CreateDirectory(server.DeployPath);
                await KeyGenAsync(server.HostKeyFile, cancellationToken);
                hosts.WriteConfig(server);
                hosts._servers.Add(server);
            }
            await Task.WhenAll(hosts._servers.Select(x => StartServerAsync(x, cancellationToken)));
            return hosts;
        }
        catch
        {
            await hosts.DisposeAsync();
            throw;
        }
    }

    void WriteConfig(Server server) => File.WriteAllText(server.ConfigFile, $"""
        Port {server.Host.Port}
        ListenAddress {server.Host.Address}
        HostKey {server.HostKeyFile}
        AuthorizedKeysFile {Path.Combine(Root, "authorized_keys")}
        PidFile none
        StrictModes no
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        Subsystem sftp internal-sftp
        MaxSessions 50
        MaxStartups 50
        LogLevel VERBOSE
        SetEnv {MeshHook.Testing.TestRunOwner.Variable}={Environment.GetEnvironmentVariable(MeshHook.Testing.TestRunOwner.Variable) ?? "none"}

        """);

    static async Task StartServerAsync(Server server, CancellationToken cancellationToken)
    {
        // sshd overwrites its environment with its process title, so the test run's owner mark (MESHHOOK_TEST_OWNER) cannot
        // be read from it and the run's guard would leave it running after a kill -9 of the tests. A keeper shell keeps the
        // mark and stays sshd's parent; sshd gets SIGKILL when the keeper dies (setpriv's parent-death signal), and the
        // guard kills the keeper. The keeper is single-threaded, so no thread's end sets the signal off early.
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", "setpriv --pdeathsig KILL -- \"$@\" & wait $!", "sshd-keeper", Sshd, "-D", "-f", server.ConfigFile, "-E", server.LogFile })
            start.ArgumentList.Add(argument);
        server.Process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start.");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (server.Process.HasExited)
                throw new InvalidOperationException($"sshd for {server.Host.Name} exited ({server.Process.ExitCode}): " +
                                                    (File.Exists(server.LogFile) ? File.ReadAllText(server.LogFile) : await server.Process.StandardError.ReadToEndAsync(cancellationToken)));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Parse(server.Host.Address), server.Host.Port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    /// <summary>The host goes away: its sshd and every session of it are killed (what runs detached on it keeps running, as on a host whose network failed).</summary>
    public void Kill(Server server)
    {
        if (server.Process is not { HasExited: false } process)
            return;
        var sessions = Descendants(process.Id);
        process.Kill();
        foreach (var pid in sessions)
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
            {
                // already gone
            }
        }
        process.WaitForExit(10_000);
    }

    /// <summary>The host gets a new host key (reinstalled, or someone in between) and its sshd is restarted with it.</summary>
    public async Task ReplaceHostKeyAsync(Server server, CancellationToken cancellationToken)
    {
        Kill(server);
        File.Delete(server.HostKeyFile);
        File.Delete(server.HostKeyFile + ".pub");
        await KeyGenAsync(server.HostKeyFile, cancellationToken);
        await StartServerAsync(server, cancellationToken);
    }

    /// <summary>Public-key logins the server accepted so far (from its log).</summary>
    public static int AcceptedLogins(Server server) =>
        File.Exists(server.LogFile) ? File.ReadLines(server.LogFile).Count(x => x.Contains("Accepted publickey", StringComparison.Ordinal)) : 0;

    /// <summary>known_hosts content pinning every server's current key.</summary>
    public string KnownHosts => string.Join('\n', _servers.Select(x => x.KnownHostsLine));

    public IReadOnlyDictionary<SshHost, IReadOnlyList<string>> Pins => _servers.ToDictionary(x => x.Host, x => (IReadOnlyList<string>)[x.Fingerprint]);

    static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
            catch (IOException)
            {
            }
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var next))
            foreach (var child in children.GetValueOrDefault(next) ?? [])
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        return result;
    }

    static async Task KeyGenAsync(string file, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ssh-keygen") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-q", "-t", "ed25519", "-N", "", "-C", "meshhook-test", "-f", file })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ssh-keygen failed: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
    }

    static int FreePort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
            Kill(server);
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
