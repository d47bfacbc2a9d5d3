using System.Text;
using MeshHook.Deployment.Environments;
using MeshHook.Tooling;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>What a remote command printed and how it ended.</summary>
public sealed record RemoteResult(int ExitCode, string Output, string Error);

/// <summary>
/// One SSH connection to one host (commands and SFTP over the same session), made only when the host presents a pinned
/// key: an unknown or changed key ends the handshake before authentication, so no command ever reaches such a host.
/// </summary>
public sealed class SshHostConnection : IAsyncDisposable
{
    readonly SshClient _ssh;
    readonly SftpClient _sftp;

    SshHostConnection(SshHost host, SshClient ssh, SftpClient sftp)
    {
        Host = host;
        _ssh = ssh;
        _sftp = sftp;
    }

    public SshHost Host { get; }

    public SftpClient Sftp => _sftp;

    public static async Task<SshHostConnection> ConnectAsync(SshHost host, IReadOnlyList<string> pinnedKeys, string privateKey, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var keyStream = new MemoryStream(Encoding.UTF8.GetBytes(privateKey.ReplaceLineEndings("\n").TrimEnd() + "\n"));
        var key = new PrivateKeyFile(keyStream);
        ConnectionInfo Info() => new(host.Address, host.Port, host.User, new PrivateKeyAuthenticationMethod(host.User, key)) { Timeout = timeout };
        string? presented = null;
        void Check(object? sender, HostKeyEventArgs args)
        {
            presented = SshTargetOptions.FingerprintOf(args.HostKey);
            args.CanTrust = pinnedKeys.Contains(presented, StringComparer.Ordinal);
        }

        var ssh = new SshClient(Info());
        var sftp = new SftpClient(Info()) { OperationTimeout = TimeSpan.FromMinutes(5) };
        ssh.HostKeyReceived += Check;
        sftp.HostKeyReceived += Check;
        try
        {
            // Both handshakes at once: each is a few round trips and a key exchange, and neither needs the other.
            await Task.WhenAll(ssh.ConnectAsync(cancellationToken), sftp.ConnectAsync(cancellationToken));
            return new SshHostConnection(host, ssh, sftp);
        }
        catch (SshConnectionException) when (presented is not null && !pinnedKeys.Contains(presented, StringComparer.Ordinal))
        {
            Dispose();
            throw new UserFacingException(
                $"{host.Name} presented the host key {presented}, which is not pinned for it ({(pinnedKeys.Count == 0 ? "none is" : string.Join(", ", pinnedKeys))}): " +
                "refused before any command. If the host was reinstalled and you trust it, update target.knownHosts/hostKey " +
                $"(ssh-keyscan -p {host.Port} {host.Address}); otherwise someone may be in between.");
        }
        catch (Exception exception) when (exception is SshException or System.Net.Sockets.SocketException or SshAuthenticationException or TimeoutException
                                             && !cancellationToken.IsCancellationRequested)
        {
            Dispose();
            throw new UserFacingException($"Cannot connect to {host.Name}: {exception.Message}");
        }

        void Dispose()
        {
            ssh.Dispose();
            sftp.Dispose();
        }
    }

    /// <summary>Runs a command; its exit code, output and error are returned whatever they are.</summary>
    public Task<RemoteResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) => RunAsync([command], cancellationToken);

    /// <summary>Runs commands in order in one round trip (see <see cref="RemoteCommand.ToShell(IReadOnlyList{RemoteCommand})"/>): the first failure ends it.</summary>
    public async Task<RemoteResult> RunAsync(IReadOnlyList<RemoteCommand> commands, CancellationToken cancellationToken)
    {
        var line = RemoteCommand.ToShell(commands);
        using var run = _ssh.CreateCommand(line);
        try
        {
            await run.ExecuteAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is SshException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            throw new UserFacingException($"{Host.Name} stopped answering while running {line}: {exception.Message}");
        }
        return new RemoteResult(run.ExitStatus ?? -1, run.Result, run.Error);
    }

    /// <summary>Runs a command that must succeed; its standard output is returned.</summary>
    public Task<string> CheckAsync(RemoteCommand command, CancellationToken cancellationToken) => CheckAsync([command], cancellationToken);

    /// <summary>Runs commands in order in one round trip; all must succeed; their standard output is returned.</summary>
    public async Task<string> CheckAsync(IReadOnlyList<RemoteCommand> commands, CancellationToken cancellationToken)
    {
        var result = await RunAsync(commands, cancellationToken);
        if (result.ExitCode != 0)
            throw new UserFacingException($"On {Host.Name}, {RemoteCommand.ToShell(commands)} failed (exit {result.ExitCode}): {Tail(result.Error, result.Output)}");
        return result.Output;
    }

    static string Tail(string error, string output)
    {
        var text = (error.Trim().Length > 0 ? error : output).Trim();
        return text.Length <= 2000 ? text : "..." + text[^2000..];
    }

    public bool IsConnected => _ssh.IsConnected && _sftp.IsConnected;

    public ValueTask DisposeAsync()
    {
        _sftp.Dispose();
        _ssh.Dispose();
        return ValueTask.CompletedTask;
    }
}
