using MeshHook.Deployment.Migrations;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>The database password reaches the Supabase CLI through its environment, never its command line.</summary>
public sealed class MigrationCredentialsTests
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    // Special characters a URL must percent-encode; the CLI must get the decoded value.
    const string Password = "pw-3c7e&+ ' \"<>\\ä@:/?#%";

    [Fact]
    public void The_push_command_holds_the_password_only_in_its_environment()
    {
        var url = $"postgresql://app:{Uri.EscapeDataString(Password)}@db.example.com:5432/meshhook?sslmode=require";

        var command = SupabaseMigrations.Push("supabase.js", "/w", url);

        Assert.Equal(["supabase.js", "db", "push", "--db-url", "postgresql://app@db.example.com:5432/meshhook?sslmode=require", "--yes", "--workdir", "/w"],
            command.Arguments);
        Assert.Equal(Password, command.Environment["PGPASSWORD"]);
        Assert.DoesNotContain(command.Arguments, x => x.Contains("pw-3c7e"));
    }

    [Fact]
    public void A_url_without_password_takes_the_given_one_and_a_url_without_user_information_is_unchanged()
    {
        var command = SupabaseMigrations.Push("s.js", "/w", "postgresql://postgres@127.0.0.1:5/postgres", "generated-secret");
        Assert.Equal("postgresql://postgres@127.0.0.1:5/postgres", command.Arguments[4]);
        Assert.Equal("generated-secret", command.Environment["PGPASSWORD"]);

        Assert.Equal(("postgresql://127.0.0.1:5/db", (string?)null), DatabaseUrl.SplitPassword("postgresql://127.0.0.1:5/db"));
        Assert.Equal(("postgres://u@h/db", "p@ss"), DatabaseUrl.SplitPassword("postgres://u:p@ss@h/db"));
    }

    [Fact]
    public async Task A_real_migration_succeeds_with_the_password_in_PGPASSWORD_and_no_command_line_shows_it()
    {
        await BuildTools.EnsureInstalledAsync(Token);
        await using var database = await PostgresCluster.StartAsync(Password, Token);
        using var work = new TempDirectory();
        work.Write("supabase/config.toml", "project_id = \"credentials\"\n");
        work.Write("supabase/migrations/20260101000000_first.sql", "create table credential_check (id int);");
        var cli = LocalPrograms.InRepository(Infrastructure.RepositoryFiles.Root, "unused").SupabaseCli;
        var tools = new ToolRunner(new SecretMasker());

        // A wrong password fails: the cluster really authenticates, so the success below used PGPASSWORD.
        var wrong = SupabaseMigrations.Push(cli, work.Path, database.Url("not-the-password")) with { ThrowOnFailure = false, LogOutput = false };
        Assert.NotEqual(0, (await tools.RunAsync(wrong, Token)).ExitCode);

        var push = SupabaseMigrations.Push(cli, work.Path, database.Url(Password)) with { LogOutput = false };
        var running = tools.RunAsync(push, Token);
        var leaks = new List<string>();
        var scans = 0;
        while (!running.IsCompleted)
        {
            leaks.AddRange(CommandLinesContaining("pw-3c7e"));
            scans++;
            await Task.WhenAny(running, Task.Delay(10, Token));
        }
        var result = await running;

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("20260101000000_first.sql", result.StandardOutput + result.StandardError);
        Assert.True(scans > 1, "the migration ended before any command line was read");
        Assert.Empty(leaks);
    }

    static IEnumerable<string> CommandLinesContaining(string text)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (commandLine.Contains(text) || Uri.UnescapeDataString(commandLine).Contains(text))
                yield return $"{Path.GetFileName(directory)}: {commandLine}";
        }
    }
}
