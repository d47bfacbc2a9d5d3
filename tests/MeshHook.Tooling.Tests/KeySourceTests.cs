namespace MeshHook.Tooling.Tests;

// Unix file modes and flock: the key files are checked where the deploys run (Linux, macOS).
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeySourceTests : IDisposable
{
    const string Variable = "MESHHOOK_SECRETS_KEY", FileVariable = "MESHHOOK_SECRETS_KEY_FILE";
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    readonly TempDirectory _home = new();
    readonly TempDirectory _repository = new();

    public void Dispose()
    {
        _home.Dispose();
        _repository.Dispose();
    }

    string KeyFile => Path.Combine(_home.Path, "keys", "secrets.key");

    KeySource Source(Dictionary<string, string>? variables = null) =>
        new(Variable, FileVariable, "secrets.key", variables ?? new Dictionary<string, string> { ["HOME"] = _home.Path, [FileVariable] = KeyFile },
            _repository.Path);

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void A_key_file_left_empty_is_refused_naming_it_and_left_as_it_is(string content)
    {
        // What a run that died between creating the file and writing the key left behind (or a concurrent first run saw).
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, content);

        var read = Assert.Throws<UserFacingException>(() => Source().TryRead());
        var create = Assert.Throws<UserFacingException>(() => Source().ReadOrCreate());

        Assert.Equal(read.Message, create.Message);
        Assert.Contains($"The key file {KeyFile} is empty", read.Message);
        Assert.Contains("delete it and run again", read.Message);
        Assert.Equal(content, File.ReadAllText(KeyFile));
    }

    [Fact]
    public void A_short_key_file_is_refused_without_showing_the_key()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "hunter2\n");

        var error = Assert.Throws<UserFacingException>(() => Source().Read("it is created by Secrets --set"));

        Assert.Contains($"The key file {KeyFile} holds a key of 7 characters; a key needs at least 16", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Theory]
    [InlineData("", "MESHHOOK_SECRETS_KEY is set but empty")]
    [InlineData("   ", "MESHHOOK_SECRETS_KEY is set but empty")]
    [InlineData("short-key", "MESHHOOK_SECRETS_KEY holds a key of 9 characters; a key needs at least 16")]
    public void An_empty_or_short_key_variable_is_refused_naming_it_and_no_key_file_is_made(string key, string expected)
    {
        var source = Source(new Dictionary<string, string> { ["HOME"] = _home.Path, [FileVariable] = KeyFile, [Variable] = key });

        var error = Assert.Throws<UserFacingException>(() => source.ReadOrCreate());

        Assert.Contains(expected, error.Message);
        if (key.Trim().Length > 0)
            Assert.DoesNotContain(key, error.Message);
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public void A_key_of_the_minimum_length_is_accepted()
    {
        var key = new string('k', KeySource.MinimumLength);

        Assert.Equal(key, Source(new Dictionary<string, string> { ["HOME"] = _home.Path, [Variable] = key }).TryRead());
    }

    [Fact]
    public void A_new_key_file_is_private_complete_and_read_back()
    {
        var (key, created) = Source().ReadOrCreate();

        Assert.True(created);
        Assert.Equal(44, key.Length);
        Assert.Equal(key, File.ReadAllText(KeyFile));
        Assert.Equal(Private, File.GetUnixFileMode(KeyFile));
        Assert.Equal(Private | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(KeyFile)!));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "*.tmp"));
        Assert.Equal((key, false), Source().ReadOrCreate());
    }

    [Fact]
    public async Task Concurrent_first_runs_all_end_up_with_the_same_key()
    {
        const int runs = 4;
        for (var round = 0; round < 200; round++)
        {
            if (Directory.Exists(Path.GetDirectoryName(KeyFile)))
                Directory.Delete(Path.GetDirectoryName(KeyFile)!, recursive: true);
            using var start = new Barrier(runs);
            var results = Enumerable.Range(0, runs)
                .Select(_ => Task.Factory.StartNew(() =>
                {
                    var source = Source();
                    start.SignalAndWait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                    return source.ReadOrCreate();
                }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            var keys = await Task.WhenAll(results).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            Assert.Single(keys.Select(x => x.Key).Distinct());
            Assert.Single(keys, x => x.Created);
            Assert.Equal(keys[0].Key, File.ReadAllText(KeyFile));
            Assert.Equal(Private, File.GetUnixFileMode(KeyFile));
        }
    }

    [Fact]
    public void A_key_file_inside_the_repository_is_refused_before_anything_is_written()
    {
        var inside = Path.Combine(_repository.Path, "secrets.key");

        var error = Assert.Throws<UserFacingException>(() =>
            Source(new Dictionary<string, string> { ["HOME"] = _home.Path, [FileVariable] = inside }).ReadOrCreate());

        Assert.Contains("is inside the repository", error.Message);
        Assert.False(File.Exists(inside));
        Assert.False(File.Exists(inside + ".lock"));
    }
}
