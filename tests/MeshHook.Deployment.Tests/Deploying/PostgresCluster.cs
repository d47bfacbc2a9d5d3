using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>
/// A throwaway PostgreSQL 15 cluster (Debian's postgresql-15) on a free loopback port that demands a password
/// (scram-sha-256), so a test can prove a client really authenticates. Started as the postgres user when run as root.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    const string Bin = "/usr/lib/postgresql/15/bin";
    readonly TempDirectory _temp;
    readonly ToolRunner _tools = new(new SecretMasker());

    PostgresCluster(TempDirectory temp, int port, string password)
    {
        _temp = temp;
        Port = port;
        Password = password;
    }

    public int Port { get; }
    public string Password { get; }

    public static async Task<PostgresCluster> StartAsync(string password, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Bin}/initdb is missing): apt-get install postgresql-15.");
        var temp = new TempDirectory();
        var cluster = new PostgresCluster(temp, FreePort(), password);
        var passwordFile = temp.Write("password", password);
        if (Environment.UserName == "root")
        {
            // initdb refuses root; the cluster's files belong to postgres.
            await cluster._tools.RunAsync(new ToolCommand("chown", "-R", "postgres:", temp.Path), cancellationToken);
            await cluster._tools.RunAsync(new ToolCommand("chmod", "755", temp.Path), cancellationToken);
        }
        await cluster.RunAsync(cancellationToken, "initdb", "-D", temp.Combine("data"), "-U", "postgres", "-A", "scram-sha-256", "--pwfile", passwordFile, "--no-sync");
        await cluster.RunAsync(cancellationToken, "pg_ctl", "-D", temp.Combine("data"), "-w", "-l", temp.Combine("log"),
            "-o", $"-p {cluster.Port} -k {temp.Path} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return cluster;
    }

    /// <summary>A URL without the password: postgresql://postgres@127.0.0.1:PORT/postgres?sslmode=disable.</summary>
    public string Url(string? password = null) =>
        $"postgresql://postgres{(password is null ? "" : ":" + Uri.EscapeDataString(password))}@127.0.0.1:{Port}/postgres?sslmode=disable";

    Task<ToolResult> RunAsync(CancellationToken cancellationToken, string program, params string[] arguments) =>
        Environment.UserName == "root"
            ? _tools.RunAsync(new ToolCommand("runuser", ["-u", "postgres", "--", Path.Combine(Bin, program), .. arguments]) { LogOutput = false, Timeout = TimeSpan.FromMinutes(2) }, cancellationToken)
            : _tools.RunAsync(new ToolCommand(Path.Combine(Bin, program), arguments) { LogOutput = false, Timeout = TimeSpan.FromMinutes(2) }, cancellationToken);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(CancellationToken.None, "pg_ctl", "-D", _temp.Combine("data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            _temp.Dispose();
        }
    }
}
