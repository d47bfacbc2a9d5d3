using MeshHook.Deployment.Targets.Ssh;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>Commands reach a real sshd as the argument arrays they are, and only pinned host keys are talked to.</summary>
public sealed class RemoteCommandTests
{
    static readonly string[] Hostile =
    [
        "r-20261202-abc'; touch PWNED; echo '", "$(touch PWNED)", "`touch PWNED`", "a\"b\\\"c", "; touch PWNED", "| touch PWNED", "&& touch PWNED",
        "*", "~", "$HOME", "${IFS}", "-n", "--", "  two  spaces  ", "line\nbreak; touch PWNED", "tab\there", "'", "''", "\\", "é ü 😀", "",
        "/srv/meshhook/releases/../../etc/passwd", "> PWNED", "< /etc/passwd", "#comment", "!!", "$'\\x41'",
    ];

    [Fact]
    public void Each_word_is_single_quoted_with_embedded_quotes_escaped()
    {
        Assert.Equal("'it'\\''s' 'a b'", new RemoteCommand("it's", "a b").ToShell());
        Assert.Equal("'env' 'K=v '\\''x'\\''' 'printenv' 'K'", new RemoteCommand("printenv", "K") { Environment = new Dictionary<string, string> { ["K"] = "v 'x'" } }.ToShell());
        Assert.Throws<ArgumentException>(() => ShellQuote.Word("nul\0byte"));
    }

    [Fact]
    public async Task Hostile_release_ids_paths_and_values_arrive_as_single_arguments_and_run_nothing()
    {
        var token = TestContext.Current.CancellationToken;
        await using var hosts = await SshHosts.StartAsync(1, token);
        var server = hosts.Servers[0];
        await using var connection = await SshHostConnection.ConnectAsync(server.Host, [server.Fingerprint], hosts.ClientKey, TimeSpan.FromSeconds(20), token);
        var workdir = Path.Combine(server.Directory, "work");
        Directory.CreateDirectory(workdir);

        // printf prints each argument it received followed by a NUL: what arrives is exactly what was sent, word for word.
        var output = await connection.CheckAsync(new RemoteCommand("printf", ["%s\\0", .. Hostile]) , token);
        var value = await connection.CheckAsync(new RemoteCommand("sh", "-c", "cd \"$1\" && printenv HOSTILE", "sh", workdir)
        {
            Environment = new Dictionary<string, string> { ["HOSTILE"] = Hostile[0] + Hostile[1] },
        }, token);
        await connection.CheckAsync(new RemoteCommand("ls", ["-d", .. Hostile.Where(x => x.Length > 0).Select(x => Path.Combine(workdir, x))]) with { }, token)
            .ContinueWith(_ => { }, token); // ls fails (no such files); what matters is that nothing else ran

        Assert.Equal(Hostile, output.Split('\0')[..^1]);
        Assert.Equal(Hostile[0] + Hostile[1] + "\n", value);
        Assert.False(File.Exists(Path.Combine(workdir, "PWNED")));
        Assert.False(File.Exists(Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", "PWNED")));
        Assert.False(File.Exists("/PWNED"));
    }

    [Fact]
    public async Task A_changed_host_key_is_refused_before_any_login_or_command()
    {
        var token = TestContext.Current.CancellationToken;
        await using var hosts = await SshHosts.StartAsync(1, token);
        var server = hosts.Servers[0];
        var pinned = server.Fingerprint;
        await using (var first = await SshHostConnection.ConnectAsync(server.Host, [pinned], hosts.ClientKey, TimeSpan.FromSeconds(20), token))
            await first.CheckAsync(new RemoteCommand("true"), token);
        await hosts.ReplaceHostKeyAsync(server, token);
        var loginsBefore = SshHosts.AcceptedLogins(server);

        var error = await Assert.ThrowsAsync<UserFacingException>(() =>
            SshHostConnection.ConnectAsync(server.Host, [pinned], hosts.ClientKey, TimeSpan.FromSeconds(20), token));
        var unknown = await Assert.ThrowsAsync<UserFacingException>(() =>
            SshHostConnection.ConnectAsync(server.Host, [], hosts.ClientKey, TimeSpan.FromSeconds(20), token));

        Assert.Contains($"presented the host key {server.Fingerprint}, which is not pinned for it ({pinned}): refused before any command", error.Message);
        Assert.Contains("which is not pinned for it (none is): refused before any command", unknown.Message);
        Assert.Equal(loginsBefore, SshHosts.AcceptedLogins(server));
        Assert.True(loginsBefore > 0, "the first connection logged in");
    }
}
