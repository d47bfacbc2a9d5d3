using System.Diagnostics;

namespace MeshHook.Tooling.Tests;

public sealed class ToolRunnerTests : IDisposable
{
    // Every process a test starts is bounded by this (or a shorter) timeout, and by the test token.
    static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(60);

    const string Secret = "hunter2-s3cr3t";

    readonly SecretMasker _masker = new();
    readonly RecordingSink _sink = new();
    readonly ToolRunner _runner;
    readonly TempDirectory _directory = new();

    public ToolRunnerTests()
    {
        _masker.Register(Secret);
        _runner = new ToolRunner(_masker, _sink);
    }

    public void Dispose() => _directory.Dispose();

    static CancellationToken Token => TestContext.Current.CancellationToken;

    static ToolCommand Bounded(string executable, params string[] arguments) =>
        new(executable, arguments) { Timeout = SafetyTimeout };

    static ToolCommand Shell(string script, params string[] arguments) =>
        Bounded("/bin/sh", ["-c", script, "sh", .. arguments]);

    // ---------------------------------------------------------------- arguments

    [Fact]
    public async Task Arguments_arrive_verbatim_without_shell_interpretation()
    {
        string[] arguments =
        [
            "a; echo injected",
            "with  two  spaces",
            "single 'quoted'",
            "double \"quoted\"",
            "$(echo substituted)",
            "`echo backticks`",
            "$HOME and ${PATH}",
            "*",
            "a | cat && false || true > /dev/null",
            "back\\slash",
            "",
            "trailing space ",
            "ünïcødé ✓",
        ];

        var result = await _runner.RunAsync(Bounded("printf", ["%s\n", .. arguments]), Token);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(arguments, result.Output.Select(x => x.Text));
        Assert.All(result.Output, x => Assert.Equal(OutputKind.StandardOutput, x.Kind));
        Assert.DoesNotContain(result.Output, x => x.Text == "injected");
    }

    [Fact]
    public async Task Semicolon_argument_is_one_literal_line_not_a_second_command()
    {
        var result = await _runner.RunAsync(Bounded("printf", "%s\n", "a; echo injected"), Token);

        Assert.Equal("a; echo injected", result.StandardOutput);
    }

    [Fact]
    public async Task Each_array_element_is_one_argument_for_the_program()
    {
        // The script is the program under test; its arguments come in as an array.
        var result = await _runner.RunAsync(
            Shell("echo \"$#\"; for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done", "a b", "", "c;d", "$(id)"),
            Token);

        Assert.Equal(["4", "[a b]", "[]", "[c;d]", "[$(id)]"], result.Output.Select(x => x.Text));
    }

    // ---------------------------------------------------------------- working directory and environment

    [Fact]
    public async Task Working_directory_is_used()
    {
        var result = await _runner.RunAsync(Bounded("pwd") with { WorkingDirectory = _directory.Path }, Token);

        Assert.Equal(_directory.Path, result.StandardOutput);
    }

    [Fact]
    public async Task Without_a_working_directory_the_current_directory_is_used()
    {
        var result = await _runner.RunAsync(Bounded("pwd"), Token);

        Assert.Equal(Directory.GetCurrentDirectory(), result.StandardOutput);
    }

    [Fact]
    public async Task Relative_paths_are_resolved_in_the_working_directory()
    {
        File.WriteAllText(_directory.Combine("input.txt"), "from the file\n");

        var result = await _runner.RunAsync(
            Bounded("cat", "input.txt") with { WorkingDirectory = _directory.Path }, Token);

        Assert.Equal("from the file", result.StandardOutput);
    }

    [Fact]
    public async Task Environment_variables_are_set_for_the_child()
    {
        var command = Bounded("env") with
        {
            Environment = new Dictionary<string, string?>
            {
                ["MESHHOOK_TEST_VALUE"] = "value with spaces; $(not expanded)",
                ["MESHHOOK_TEST_EMPTY"] = "",
            },
        };

        var result = await _runner.RunAsync(command, Token);

        var lines = result.Output.Select(x => x.Text).ToList();
        Assert.Contains("MESHHOOK_TEST_VALUE=value with spaces; $(not expanded)", lines);
        Assert.Contains("MESHHOOK_TEST_EMPTY=", lines);
    }

    [Fact]
    public async Task Child_inherits_the_environment_and_a_null_value_removes_a_variable()
    {
        const string name = "MESHHOOK_TOOLING_TEST_INHERITED";
        Environment.SetEnvironmentVariable(name, "inherited-value");
        try
        {
            var inherited = await _runner.RunAsync(Bounded("env"), Token);
            var removed = await _runner.RunAsync(
                Bounded("env") with { Environment = new Dictionary<string, string?> { [name] = null } }, Token);
            var overridden = await _runner.RunAsync(
                Bounded("env") with { Environment = new Dictionary<string, string?> { [name] = "new-value" } }, Token);

            Assert.Contains($"{name}=inherited-value", inherited.Output.Select(x => x.Text));
            Assert.DoesNotContain(removed.Output, x => x.Text.StartsWith(name + "=", StringComparison.Ordinal));
            Assert.Contains($"{name}=new-value", overridden.Output.Select(x => x.Text));
            Assert.DoesNotContain($"{name}=inherited-value", overridden.Output.Select(x => x.Text));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task Removing_a_variable_that_is_not_set_is_harmless()
    {
        var result = await _runner.RunAsync(
            Bounded("env") with { Environment = new Dictionary<string, string?> { ["MESHHOOK_NEVER_SET_XYZ"] = null } },
            Token);

        Assert.True(result.Succeeded);
    }

    // ---------------------------------------------------------------- standard input

    [Fact]
    public async Task Standard_input_is_written_and_closed()
    {
        var result = await _runner.RunAsync(
            Bounded("cat") with { StandardInput = "line one\nline two $(x) ✓\n" }, Token);

        Assert.Equal(["line one", "line two $(x) ✓"], result.Output.Select(x => x.Text));
    }

    [Fact]
    public async Task Without_standard_input_the_input_is_closed_at_once()
    {
        var result = await _runner.RunAsync(Bounded("cat"), Token);

        Assert.True(result.Succeeded);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Large_standard_input_is_passed_through_completely()
    {
        var lines = Enumerable.Range(0, 20_000).Select(i => $"input line {i:D6} with some padding text").ToArray();

        var result = await _runner.RunAsync(
            Bounded("cat") with { StandardInput = string.Join('\n', lines) + "\n", LogOutput = false }, Token);

        Assert.Equal(lines, result.Output.Select(x => x.Text));
        Assert.Empty(_sink.Lines);
    }

    [Fact]
    public async Task Program_that_exits_without_reading_its_input_is_not_an_error()
    {
        var result = await _runner.RunAsync(
            Shell("echo done") with { StandardInput = new string('x', 1_000_000) }, Token);

        Assert.Equal("done", result.StandardOutput);
    }

    [Fact]
    public async Task Timeout_applies_while_standard_input_is_still_being_written()
    {
        // sleep never reads: a large input fills the pipe, and the timeout must still stop the program.
        var command = new ToolCommand("sleep", "30")
        {
            Timeout = TimeSpan.FromSeconds(1),
            StandardInput = new string('x', 1_000_000),
        };

        await Assert.ThrowsAsync<ToolTimeoutException>(
            () => _runner.RunAsync(command, Token).WaitAsync(SafetyTimeout, Token));
    }

    // ---------------------------------------------------------------- output

    [Fact]
    public async Task Standard_output_and_error_are_captured_separately()
    {
        var result = await _runner.RunAsync(
            Shell("echo out1; echo err1 >&2; echo out2; echo err2 >&2"), Token);

        Assert.Equal("out1\nout2", result.StandardOutput);
        Assert.Equal("err1\nerr2", result.StandardError);
        Assert.Equal(4, result.Output.Count);
        Assert.Equal(
            ["out1", "out2"],
            result.Output.Where(x => x.Kind == OutputKind.StandardOutput).Select(x => x.Text));
        Assert.Equal(
            ["err1", "err2"],
            result.Output.Where(x => x.Kind == OutputKind.StandardError).Select(x => x.Text));
    }

    [Fact]
    public async Task Result_describes_the_run()
    {
        var command = Shell("echo hi");

        var result = await _runner.RunAsync(command, Token);

        Assert.Same(command, result.Command);
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Succeeded);
        Assert.InRange(result.Duration, TimeSpan.Zero, SafetyTimeout);
    }

    [Fact]
    public async Task Live_lines_reach_the_sink_masked_with_their_command()
    {
        var command = Shell($"echo 'token {Secret} here'; echo plain >&2; echo last");

        var result = await _runner.RunAsync(command, Token);

        var entries = _sink.Entries;
        Assert.All(entries, x => Assert.Same(command, x.Command));
        Assert.Equal(3, entries.Count);
        Assert.Contains(new OutputLine(OutputKind.StandardOutput, "token *** here"), _sink.Lines);
        Assert.Contains(new OutputLine(OutputKind.StandardError, "plain"), _sink.Lines);
        Assert.Contains(new OutputLine(OutputKind.StandardOutput, "last"), _sink.Lines);
        Assert.Equal(
            ["token *** here", "last"],
            _sink.Lines.Where(x => x.Kind == OutputKind.StandardOutput).Select(x => x.Text));
        Assert.Equal("token *** here\nlast", result.StandardOutput);
    }

    [Fact]
    public async Task LogOutput_false_captures_without_writing_to_the_sink()
    {
        var result = await _runner.RunAsync(Shell("echo quiet; echo loud >&2") with { LogOutput = false }, Token);

        Assert.Empty(_sink.Lines);
        Assert.Equal("quiet", result.StandardOutput);
        Assert.Equal("loud", result.StandardError);
    }

    [Fact]
    public async Task Runner_without_a_sink_still_captures()
    {
        var runner = new ToolRunner(_masker);

        var result = await runner.RunAsync(Shell($"echo {Secret}"), Token);

        Assert.Equal("***", result.StandardOutput);
        Assert.Same(_masker, runner.Masker);
    }

    [Fact]
    public async Task Secret_printed_by_the_child_is_masked_in_the_result_and_the_sink()
    {
        var result = await _runner.RunAsync(
            Shell("printf 'a %s b\\n' \"$MY_TOKEN\"; printf '%s\\n' \"$MY_TOKEN\" >&2") with
            {
                Environment = new Dictionary<string, string?> { ["MY_TOKEN"] = Secret },
            },
            Token);

        Assert.Equal("a *** b", result.StandardOutput);
        Assert.Equal("***", result.StandardError);
        AssertNoSecret(_sink.Lines.Select(x => x.Text));
        AssertNoSecret(result.Output.Select(x => x.Text));
    }

    [Fact]
    public async Task Secret_registered_as_a_multi_line_value_is_masked_in_line_output()
    {
        _masker.Register("multi-line-one\nmulti-line-two");

        var result = await _runner.RunAsync(Shell("printf 'multi-line-one\\nmulti-line-two\\n'"), Token);

        Assert.Equal(["***", "***"], result.Output.Select(x => x.Text));
    }

    [Fact]
    public async Task Unicode_output_is_decoded()
    {
        var result = await _runner.RunAsync(Bounded("printf", "%s\n", "héllo wörld ✓ 日本"), Token);

        Assert.Equal("héllo wörld ✓ 日本", result.StandardOutput);
    }

    [Fact]
    public async Task Output_without_a_final_newline_is_captured()
    {
        var result = await _runner.RunAsync(Bounded("printf", "no newline"), Token);

        Assert.Equal("no newline", result.StandardOutput);
    }

    [Fact]
    public async Task Many_output_lines_from_both_streams_are_all_captured()
    {
        var result = await _runner.RunAsync(
            Shell("i=0; while [ $i -lt 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done"), Token);

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"out{i}"),
            result.Output.Where(x => x.Kind == OutputKind.StandardOutput).Select(x => x.Text));
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"err{i}"),
            result.Output.Where(x => x.Kind == OutputKind.StandardError).Select(x => x.Text));
        Assert.Equal(4000, _sink.Lines.Count);
    }

    // ---------------------------------------------------------------- failures

    [Fact]
    public async Task Non_zero_exit_throws_with_exit_code_command_line_and_last_20_lines()
    {
        // One stream only: the order of lines across stdout and stderr depends on two reader threads.
        var command = Shell("i=1; while [ $i -le 30 ]; do echo line$i; i=$((i+1)); done; exit 7");

        var exception = await Assert.ThrowsAsync<ToolExitException>(() => _runner.RunAsync(command, Token));

        Assert.Equal(7, exception.Result.ExitCode);
        Assert.False(exception.Result.Succeeded);
        Assert.Equal(30, exception.Result.Output.Count);
        Assert.Contains("exited with code 7", exception.Message);
        Assert.Contains(command.ToDisplayString(), exception.Message);
        var tail = exception.Message.Split(Environment.NewLine)
            .Where(x => x.StartsWith("  ", StringComparison.Ordinal))
            .Select(x => x.Trim())
            .ToList();
        Assert.Equal(Enumerable.Range(11, 20).Select(i => $"line{i}"), tail);
        Assert.Contains("Last 20 lines", exception.Message);
        Assert.Equal(30, _sink.Lines.Count);
    }

    [Fact]
    public async Task Failure_without_output_shows_only_the_command_and_exit_code()
    {
        var exception = await Assert.ThrowsAsync<ToolExitException>(
            () => _runner.RunAsync(Bounded("sh", "-c", "exit 3"), Token));

        Assert.Equal("Process 'sh -c 'exit 3'' exited with code 3.", exception.Message);
    }

    [Fact]
    public async Task ThrowOnFailure_false_returns_the_failed_result()
    {
        var result = await _runner.RunAsync(
            Shell("echo partial; echo bad >&2; exit 42") with { ThrowOnFailure = false }, Token);

        Assert.Equal(42, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("partial", result.StandardOutput);
        Assert.Equal("bad", result.StandardError);
    }

    [Fact]
    public async Task Secret_printed_by_a_failing_command_is_masked_in_the_exception()
    {
        var command = Shell("echo \"password is $SECRET_VALUE\"; echo \"$SECRET_VALUE\" >&2; exit 1") with
        {
            Environment = new Dictionary<string, string?> { ["SECRET_VALUE"] = Secret },
        };

        var exception = await Assert.ThrowsAsync<ToolExitException>(() => _runner.RunAsync(command, Token));

        Assert.DoesNotContain(Secret, exception.Message, StringComparison.Ordinal);
        Assert.Contains("password is ***", exception.Message);
        AssertNoSecret(exception.Result.Output.Select(x => x.Text));
        AssertNoSecret(_sink.Lines.Select(x => x.Text));
    }

    [Fact]
    public async Task Secret_on_the_command_line_is_masked_in_the_exception()
    {
        var command = Shell("echo \"got $1\"; exit 2", "--password=" + Secret);

        var exception = await Assert.ThrowsAsync<ToolExitException>(() => _runner.RunAsync(command, Token));

        Assert.DoesNotContain(Secret, exception.Message, StringComparison.Ordinal);
        Assert.Contains("--password=***", exception.Message);
        Assert.Contains("got --password=***", exception.Message);
        Assert.Contains("exited with code 2", exception.Message);
    }

    [Theory]
    [InlineData("it's-a-s3cret")]
    [InlineData("kw0rd spaced-s3cret")]
    [InlineData("quote\"and$dollar")]
    [InlineData("'leading-quote")]
    public async Task Secret_that_needs_quoting_on_the_command_line_is_masked_whole(string secret)
    {
        _masker.Register(secret);
        var command = Shell("exit 5", secret, "prefix-" + secret);

        var exception = await Assert.ThrowsAsync<ToolExitException>(() => _runner.RunAsync(command, Token));

        // Quoting for display must not break the value apart so that parts of it escape the masker.
        Assert.DoesNotContain(secret, exception.Message, StringComparison.Ordinal);
        foreach (var part in secret.Split(['\'', ' ', '"', '$']).Where(x => x.Length >= 4))
            Assert.DoesNotContain(part, exception.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 5", exception.Message);
    }

    [Fact]
    public async Task Secret_in_the_command_line_is_masked_in_the_timeout_exception()
    {
        var command = Shell("echo started $1; sleep 30", Secret) with { Timeout = TimeSpan.FromSeconds(5) };

        var exception = await Assert.ThrowsAsync<ToolTimeoutException>(() => _runner.RunAsync(command, Token));

        Assert.DoesNotContain(Secret, exception.Message, StringComparison.Ordinal);
        Assert.Contains("started ***", exception.Message);
        Assert.Equal(TimeSpan.FromSeconds(5), exception.Timeout);
    }

    // ---------------------------------------------------------------- timeout and cancellation

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree_and_throws()
    {
        var pidFile = _directory.Combine("pid");
        var command = new ToolCommand("/bin/sh", "-c", "sleep 300 & echo $! > pid; echo waiting; wait")
        {
            WorkingDirectory = _directory.Path,
            Timeout = TimeSpan.FromSeconds(5),
        };
        var stopwatch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<ToolTimeoutException>(
            () => _runner.RunAsync(command, Token).WaitAsync(SafetyTimeout, Token));
        var elapsed = stopwatch.Elapsed;

        var pid = await ProcessProbe.ReadPidAsync(pidFile, Token);
        try
        {
            Assert.True(elapsed >= TimeSpan.FromSeconds(4.9), $"The timeout fired after {elapsed}, before 5 s.");
            Assert.Equal(TimeSpan.FromSeconds(5), exception.Timeout);
            Assert.Contains("did not finish within 5 s", exception.Message);
            Assert.Contains(command.ToDisplayString(), exception.Message);
            Assert.Contains("waiting", exception.Message);
            Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, SafetyTimeout, Token),
                $"The grandchild sleep (pid {pid}) is still running after the timeout.");
        }
        finally
        {
            ProcessProbe.KillQuietly(pid);
        }
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_process_tree_and_throws_OperationCanceledException()
    {
        var pidFile = _directory.Combine("pid");
        var command = new ToolCommand("/bin/sh", "-c", "sleep 300 & echo $! > pid; wait")
        {
            WorkingDirectory = _directory.Path,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var stopwatch = Stopwatch.StartNew();

        var run = _runner.RunAsync(command, cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(pidFile, Token);
        try
        {
            Assert.True(ProcessProbe.IsRunning(pid));
            await cancellation.CancelAsync();

            var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => run.WaitAsync(SafetyTimeout, Token));

            Assert.Equal(cancellation.Token, exception.CancellationToken);
            Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, SafetyTimeout, Token),
                $"The grandchild sleep (pid {pid}) is still running after cancellation.");
        }
        finally
        {
            ProcessProbe.KillQuietly(pid);
        }
    }

    /// <summary>"pid pgid sid" of a process, from /proc (fields 1, 5 and 6 of its stat line).</summary>
    static (int Pid, int Group, int Session) Ids(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(stat[..stat.IndexOf(' ')]), int.Parse(fields[2]), int.Parse(fields[3]));
    }

    [Fact]
    public async Task A_tool_runs_in_a_process_group_and_session_of_its_own()
    {
        // A terminal's Ctrl+C goes to its foreground process group: the build's. A tool in that group would get the
        // signal as well and stop in its own way (a test failing instead of the run being cancelled).
        var result = await _runner.RunAsync(Bounded("cat", "/proc/self/stat"), Token);

        var tool = Ids(result.StandardOutput);
        var self = Ids(File.ReadAllText("/proc/self/stat"));
        Assert.Equal(tool.Pid, tool.Group);
        Assert.Equal(tool.Pid, tool.Session);
        Assert.NotEqual(self.Group, tool.Group);
    }

    [Fact]
    public async Task Cancellation_sends_SIGTERM_to_the_group_first_so_the_tool_can_clean_up()
    {
        var marker = _directory.Combine("stopped-by");
        var ready = _directory.Combine("ready");
        // The shell and its child both record the signal that stopped them; the child says it is ready once both
        // traps are in place.
        var command = new ToolCommand("/bin/sh", "-c",
            "trap 'echo parent-TERM >> stopped-by; wait; exit 0' TERM; trap 'echo parent-INT >> stopped-by' INT; " +
            "sh -c 'trap \"echo child-TERM >> stopped-by; exit 0\" TERM; echo $$ > ready; while :; do sleep 0.1; done' & " +
            "while :; do sleep 0.1; done")
        {
            WorkingDirectory = _directory.Path,
            Timeout = TimeSpan.FromSeconds(30),
            StopGrace = TimeSpan.FromSeconds(10),
        };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var run = _runner.RunAsync(command, cancellation.Token);
        await ProcessProbe.ReadPidAsync(ready, Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(SafetyTimeout, Token));
        var lines = File.ReadAllLines(marker);
        Assert.Contains("parent-TERM", lines);
        Assert.Contains("child-TERM", lines);
    }

    [Fact]
    public async Task A_group_that_ignores_SIGTERM_is_killed_after_the_grace_even_members_the_leader_left_behind()
    {
        var pidFile = _directory.Combine("pid");
        // The leader dies on SIGTERM at once; its child ignores SIGTERM and would live on without the SIGKILL to the group.
        var command = new ToolCommand("/bin/sh", "-c", "(trap '' TERM; exec sleep 300) & echo $! > pid; wait")
        {
            WorkingDirectory = _directory.Path,
            Timeout = TimeSpan.FromSeconds(30),
            StopGrace = TimeSpan.FromMilliseconds(500),
        };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var stopwatch = Stopwatch.StartNew();

        var run = _runner.RunAsync(command, cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(pidFile, Token);
        try
        {
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(SafetyTimeout, Token));

            Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, SafetyTimeout, Token),
                $"The child that ignores SIGTERM (pid {pid}) is still running.");
        }
        finally
        {
            ProcessProbe.KillQuietly(pid);
        }
    }

    [Fact]
    public async Task Cancellation_also_stops_descendants_that_left_the_group()
    {
        var pidFile = _directory.Combine("pid");
        // The grandchild starts a session of its own (as a daemonising server would): the group signal misses it, and
        // once the leader is gone it is reparented, out of reach of a tree walk.
        var command = new ToolCommand("/bin/sh", "-c", "setsid sleep 300 & echo $! > pid; wait")
        {
            WorkingDirectory = _directory.Path,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var run = _runner.RunAsync(command, cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(pidFile, Token);
        try
        {
            // The pid file is written when setsid is forked; wait until it runs sleep in its own session.
            await WaitUntilAsync(() => File.ReadAllText($"/proc/{pid}/stat").Contains("(sleep)"));
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(SafetyTimeout, Token));

            Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, SafetyTimeout, Token),
                $"The grandchild in its own session (pid {pid}) is still running after cancellation.");
        }
        finally
        {
            ProcessProbe.KillQuietly(pid);
        }
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > SafetyTimeout)
                throw new TimeoutException("The condition did not become true.");
            await Task.Delay(20, Token);
        }
    }

    [Fact]
    public async Task Already_cancelled_token_throws_OperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _runner.RunAsync(Bounded("sleep", "30"), cancellation.Token).WaitAsync(TimeSpan.FromSeconds(20), Token));
    }

    [Fact]
    public async Task Command_that_finishes_within_its_timeout_succeeds()
    {
        var result = await _runner.RunAsync(
            Bounded("sh", "-c", "sleep 0.1; echo ok") with { Timeout = TimeSpan.FromSeconds(10) }, Token);

        Assert.Equal("ok", result.StandardOutput);
    }

    // ---------------------------------------------------------------- locating the executable

    [Fact]
    public async Task Missing_executable_throws_ToolNotFoundException_with_the_install_hint()
    {
        var command = Bounded("meshhook-no-such-tool-9a7e") with { InstallHint = "Install it with 'apt-get install xyz'." };

        var exception = await Assert.ThrowsAsync<ToolNotFoundException>(() => _runner.RunAsync(command, Token));

        Assert.Equal("meshhook-no-such-tool-9a7e", exception.Executable);
        Assert.Contains("meshhook-no-such-tool-9a7e", exception.Message);
        Assert.Contains("Install it with 'apt-get install xyz'.", exception.Message);
        Assert.Empty(_sink.Lines);
    }

    [Fact]
    public async Task Missing_executable_without_a_hint_names_it()
    {
        var exception = await Assert.ThrowsAsync<ToolNotFoundException>(
            () => _runner.RunAsync(Bounded("meshhook-no-such-tool-9a7e"), Token));

        Assert.Equal("'meshhook-no-such-tool-9a7e' was not found on PATH.", exception.Message);
    }

    [Fact]
    public async Task Missing_executable_path_throws_ToolNotFoundException()
    {
        var missing = _directory.Combine("bin/missing-tool");

        var exception = await Assert.ThrowsAsync<ToolNotFoundException>(
            () => _runner.RunAsync(Bounded(missing) with { InstallHint = "Build it first." }, Token));

        Assert.Equal(missing, exception.Executable);
        Assert.Contains("Build it first.", exception.Message);
    }

    [Fact]
    public async Task Executable_can_be_given_as_a_path()
    {
        var script = _directory.WriteFile("my tool.sh", "#!/bin/sh\nprintf '[%s]\\n' \"$@\"\n", executable: true);

        var fromPath = await _runner.RunAsync(Bounded(script, "a b", "c"), Token);
        var absolute = await _runner.RunAsync(Bounded("/usr/bin/printf", "%s", "abs"), Token);

        Assert.Equal(["[a b]", "[c]"], fromPath.Output.Select(x => x.Text));
        Assert.Equal("abs", absolute.StandardOutput);
    }

    [Fact]
    public async Task PATH_in_the_command_environment_is_used_to_find_the_executable_and_passed_to_the_child()
    {
        _directory.WriteFile("meshhook-runner-tool", "#!/bin/sh\necho \"tool ran with PATH=$PATH\"\n", executable: true);
        var command = Bounded("meshhook-runner-tool") with
        {
            Environment = new Dictionary<string, string?> { ["PATH"] = _directory.Path },
        };

        var result = await _runner.RunAsync(command, Token);

        Assert.Equal($"tool ran with PATH={_directory.Path}", result.StandardOutput);
    }

    [Fact]
    public async Task PATH_override_that_lacks_the_executable_throws_ToolNotFoundException()
    {
        var command = Bounded("printf", "x") with
        {
            Environment = new Dictionary<string, string?> { ["PATH"] = _directory.Path },
        };

        await Assert.ThrowsAsync<ToolNotFoundException>(() => _runner.RunAsync(command, Token));
    }

    [Fact]
    public async Task Path_to_a_file_that_is_not_executable_throws_ToolNotFoundException()
    {
        var script = _directory.WriteFile("not-executable.sh", "#!/bin/sh\necho never\n", executable: false);

        var exception = await Assert.ThrowsAsync<ToolNotFoundException>(
            () => _runner.RunAsync(Bounded(script) with { InstallHint = "chmod +x it." }, Token));

        Assert.Equal(script, exception.Executable);
        Assert.Contains("chmod +x it.", exception.Message);
    }

    [Fact]
    public async Task Concurrent_runs_on_one_runner_keep_their_output_apart()
    {
        var runs = Enumerable.Range(0, 8)
            .Select(i => _runner.RunAsync(Shell("i=0; while [ $i -lt 50 ]; do echo \"run$1 line$i\"; i=$((i+1)); done", $"{i}"), Token))
            .ToArray();

        var results = await Task.WhenAll(runs);

        for (var i = 0; i < results.Length; i++)
            Assert.Equal(Enumerable.Range(0, 50).Select(n => $"run{i} line{n}"), results[i].Output.Select(x => x.Text));
        Assert.Equal(400, _sink.Lines.Count);
        foreach (var group in _sink.Entries.GroupBy(x => x.Command))
            Assert.All(group, x => Assert.StartsWith($"run{group.Key.Arguments[^1]} ", x.Line.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Synchronous_Run_returns_the_result()
    {
        var result = _runner.Run(Bounded("printf", "%s\n", "sync"), Token);

        Assert.Equal("sync", result.StandardOutput);
    }

    static void AssertNoSecret(IEnumerable<string> texts)
    {
        foreach (var text in texts)
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_working_directory_is_reported_as_such()
    {
        var missing = Path.Combine(Path.GetTempPath(), "meshhook-missing-" + Guid.NewGuid().ToString("N"));

        var exception = await Assert.ThrowsAsync<ToolStartException>(() =>
            _runner.RunAsync(new ToolCommand("pwd") { WorkingDirectory = missing, Timeout = TimeSpan.FromSeconds(10) },
                TestContext.Current.CancellationToken));

        Assert.Contains(missing, exception.Message);
        Assert.Contains("does not exist", exception.Message);
    }
}
