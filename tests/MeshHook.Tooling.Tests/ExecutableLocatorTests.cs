namespace MeshHook.Tooling.Tests;

public sealed class ExecutableLocatorTests : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Bare_name_is_found_on_the_process_PATH()
    {
        var found = ExecutableLocator.Find("sh");

        Assert.NotNull(found);
        Assert.True(Path.IsPathRooted(found));
        Assert.Equal("sh", Path.GetFileName(found));
        Assert.True(File.Exists(found));
    }

    [Fact]
    public void Missing_name_is_not_found()
    {
        Assert.Null(ExecutableLocator.Find("meshhook-no-such-tool-4f1c"));
    }

    [Fact]
    public void Existing_path_is_taken_as_is()
    {
        Assert.Equal("/bin/sh", ExecutableLocator.Find("/bin/sh"));
    }

    [Fact]
    public void Relative_path_is_made_absolute()
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), "/bin/sh");

        Assert.Equal("/bin/sh", ExecutableLocator.Find(relative));
    }

    [Fact]
    public void Missing_path_is_not_found()
    {
        Assert.Null(ExecutableLocator.Find(_directory.Combine("missing-tool")));
    }

    [Fact]
    public void PATH_from_the_given_environment_overrides_the_process_PATH()
    {
        var tool = _directory.WriteFile("meshhook-locator-tool", "#!/bin/sh\n", executable: true);

        Assert.Null(ExecutableLocator.Find("meshhook-locator-tool"));
        Assert.Equal(tool, ExecutableLocator.Find("meshhook-locator-tool",
            new Dictionary<string, string?> { ["PATH"] = "/nonexistent-dir:" + _directory.Path }));
    }

    [Fact]
    public void Overridden_PATH_without_the_tool_hides_tools_of_the_process_PATH()
    {
        Assert.Null(ExecutableLocator.Find("sh", new Dictionary<string, string?> { ["PATH"] = _directory.Path }));
    }

    [Fact]
    public void Environment_without_PATH_uses_the_process_PATH()
    {
        Assert.NotNull(ExecutableLocator.Find("sh", new Dictionary<string, string?> { ["OTHER"] = "x" }));
    }

    [Fact]
    public void First_directory_on_PATH_wins()
    {
        using var second = new TempDirectory();
        var first = _directory.WriteFile("meshhook-dup-tool", "#!/bin/sh\n", executable: true);
        second.WriteFile("meshhook-dup-tool", "#!/bin/sh\n", executable: true);

        var found = ExecutableLocator.Find("meshhook-dup-tool",
            new Dictionary<string, string?> { ["PATH"] = $"{_directory.Path}:{second.Path}" });

        Assert.Equal(first, found);
    }

    [Fact]
    public void File_without_execute_permission_on_PATH_is_skipped()
    {
        using var second = new TempDirectory();
        _directory.WriteFile("meshhook-perm-tool", "#!/bin/sh\n", executable: false);
        var executable = second.WriteFile("meshhook-perm-tool", "#!/bin/sh\n", executable: true);

        var environment = new Dictionary<string, string?> { ["PATH"] = $"{_directory.Path}:{second.Path}" };

        Assert.Equal(executable, ExecutableLocator.Find("meshhook-perm-tool", environment));
        Assert.Null(ExecutableLocator.Find("meshhook-perm-tool",
            new Dictionary<string, string?> { ["PATH"] = _directory.Path }));
    }

    [Fact]
    public void Directory_named_like_the_tool_is_not_an_executable()
    {
        Directory.CreateDirectory(_directory.Combine("meshhook-dir-tool"));

        Assert.Null(ExecutableLocator.Find("meshhook-dir-tool",
            new Dictionary<string, string?> { ["PATH"] = _directory.Path }));
    }
}
