using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Tests.Environments;

namespace MeshHook.Deployment.Tests.Ssh;

/// <summary>
/// tools/loopback-hosts.sh, the README's walkthrough helper, run for real: two sshd hosts, a PostgreSQL cluster, the
/// generated environment (valid against the schema and the loader, every host key pinned, git-ignored), its secrets
/// stored through ./build.sh Secrets, the real build's Status reaching both hosts with them, and stop removing it all.
/// (Deploy through the build is the walkthrough itself: a release needs the app built, minutes, not a test's bound.)
/// </summary>
public sealed class LoopbackHostsScriptTests
{
    static readonly string Script = Path.Combine(Repository.Root, "tools", "loopback-hosts.sh");

    [Fact]
    public async Task Start_writes_a_valid_pinned_ignored_ssh_environment_with_stored_secrets_that_the_build_reaches_and_stop_removes_it()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await RemoveLeftoversOfKilledRunsAsync(cancellationToken);
        // The test process's id in the name: a run killed before its clean-up is recognised by the next one.
        var name = $"loopback-t{Environment.ProcessId}x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        var folder = Path.Combine(Repository.Environments, name);
        try
        {
            var start = await RunAsync(Script, ["start", "2", name], TimeSpan.FromMinutes(5), cancellationToken);
            Assert.True(start.ExitCode == 0, start.Output);

            var file = Path.Combine(folder, "environment.json");
            using (var document = JsonDocument.Parse(File.ReadAllText(file)))
            {
                var schema = new SchemaValidator(JsonDocument.Parse(File.ReadAllText(Repository.SchemaFile)).RootElement);
                Assert.Empty(schema.Validate(document.RootElement));
            }
            var environment = EnvironmentConfiguration.Load(Repository.Root, name);
            Assert.Equal(TargetKind.Ssh, environment.Target.Kind);
            var ssh = environment.Target.Ssh!;
            Assert.Equal(["127.0.0.2", "127.0.0.3"], ssh.Hosts.Select(x => x.Address));
            Assert.All(ssh.Hosts, host => Assert.Matches("^SHA256:[A-Za-z0-9+/]{43}$", Assert.Single(ssh.HostKeys[host])));
            Assert.Contains(EnvironmentNames.Parse(name), EnvironmentNames.Existing(Repository.Root));

            // Never committed by accident: git ignores the folder.
            var ignored = await RunAsync("git", ["-C", Repository.Root, "check-ignore", "-q", file], TimeSpan.FromSeconds(30), cancellationToken);
            Assert.True(ignored.ExitCode == 0, $"{file} is not ignored by git: {ignored.Output}");
            // The client key went into the 0600 store only: no private key but the hosts' own host keys is left in a file.
            var store = Path.Combine(Repository.Root, ".deploy", name, "secrets.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store));
            Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(store));
            Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(Repository.Root, ".deploy", name), "*", SearchOption.AllDirectories),
                x => Path.GetFileName(x) != "ssh_host_ed25519_key" && !x.Contains("/postgres/data/", StringComparison.Ordinal) &&
                     SafeRead(x).Contains("PRIVATE KEY", StringComparison.Ordinal));

            // The real build signs in to both hosts with the stored key, their host keys pinned.
            var status = await RunAsync(Path.Combine(Repository.Root, "build.sh"), ["Status", "--environment", name], TimeSpan.FromMinutes(5), cancellationToken);
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.Contains($"Environment:     {name}", status.Output);
            Assert.Contains("Lock:            free", status.Output);

            var stop = await RunAsync(Script, ["stop", name], TimeSpan.FromMinutes(3), cancellationToken);
            Assert.True(stop.ExitCode == 0, stop.Output);
            Assert.False(Directory.Exists(folder));
            Assert.False(Directory.Exists(Path.Combine(Repository.Root, ".deploy", name)));
            foreach (var host in ssh.Hosts)
                Assert.False(await ListensAsync(host.Address, host.Port, cancellationToken), $"{host.Name} still listens after stop.");
        }
        finally
        {
            if (Directory.Exists(folder) || Directory.Exists(Path.Combine(Repository.Root, ".deploy", name)))
                await RunAsync(Script, ["stop", name], TimeSpan.FromMinutes(3), CancellationToken.None);
        }
    }

    /// <summary>
    /// A run killed with kill -9 cannot clean up: its processes die with it (the test-run tie), but its environment folder
    /// and state stay behind (git-ignored) and would be listed among the environments. The script's stop removes them.
    /// </summary>
    static async Task RemoveLeftoversOfKilledRunsAsync(CancellationToken cancellationToken)
    {
        foreach (var folder in Directory.EnumerateDirectories(Repository.Environments, "loopback-t*"))
        {
            var match = System.Text.RegularExpressions.Regex.Match(Path.GetFileName(folder), "^loopback-t([0-9]+)x[0-9a-f]+$");
            if (match.Success && !IsRunning(int.Parse(match.Groups[1].Value)))
                await RunAsync(Script, ["stop", Path.GetFileName(folder)], TimeSpan.FromMinutes(3), cancellationToken);
        }
    }

    static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("production")]
    [InlineData("../x")]
    [InlineData("loopback;id")]
    public async Task Start_refuses_a_name_git_does_not_ignore_before_touching_anything(string name)
    {
        var result = await RunAsync(Script, ["start", "1", name], TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not allowed: the name is 'loopback' or 'loopback-<lower-case letters and digits>'", result.Output);
        Assert.True(File.Exists(Path.Combine(Repository.Environments, "production", "environment.json")));
        Assert.False(Directory.Exists(Path.Combine(Repository.Root, ".deploy", name, "loopback")));
    }

    static string SafeRead(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    static async Task<bool> ListensAsync(string address, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Parse(address), port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}: {await output}{await error}");
        }
        return (process.ExitCode, await output + await error);
    }
}
