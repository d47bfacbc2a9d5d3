using MeshHook.Deployment.Building;
using MeshHook.Deployment.Tests.Releases;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Building;

public sealed class BuildingTests : IDisposable
{
    readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_input_fingerprint_follows_content_and_paths_not_timestamps_and_ignores_generated_folders()
    {
        _temp.Write("app/src/a.ts", "a");
        _temp.Write("app/package-lock.json", "{}");
        var excluded = new HashSet<string> { "node_modules", "build" };
        var original = InputFingerprint.Compute(_temp.Combine("app"), excluded);

        File.SetLastWriteTimeUtc(_temp.Combine("app/src/a.ts"), new DateTime(2001, 1, 1));
        _temp.Write("app/node_modules/x/index.js", "x");
        _temp.Write("app/build/index.js", "built");
        Assert.Equal(original, InputFingerprint.Compute(_temp.Combine("app"), excluded));

        _temp.Write("app/src/a.ts", "changed");
        Assert.NotEqual(original, InputFingerprint.Compute(_temp.Combine("app"), excluded));

        _temp.Write("app/src/a.ts", "a");
        File.Move(_temp.Combine("app/src/a.ts"), _temp.Combine("app/src/b.ts"));
        Assert.NotEqual(original, InputFingerprint.Compute(_temp.Combine("app"), excluded));
    }

    [Theory]
    [InlineData("v20.20.2", 20)]
    [InlineData("v22.1.0\n", 22)]
    public void Node_versions_are_read_from_node_version(string output, int major) =>
        Assert.Equal(major, NodeToolchain.Parse(output.Trim()).Major);

    [Fact]
    public async Task Node_older_than_20_is_refused_with_what_to_install()
    {
        var bin = FakeNode("v18.19.0");

        var error = await Assert.ThrowsAsync<UserFacingException>(() => NodeToolchain.EnsureAsync(new ToolRunner(new SecretMasker()),
            TestContext.Current.CancellationToken, new Dictionary<string, string?> { ["PATH"] = bin }));

        Assert.Contains("v18.19.0 is too old", error.Message);
        Assert.Contains("install Node 20 LTS", error.Message);
    }

    [Fact]
    public async Task Missing_node_is_refused_with_what_to_install()
    {
        var error = await Assert.ThrowsAsync<ToolNotFoundException>(() => NodeToolchain.EnsureAsync(new ToolRunner(new SecretMasker()),
            TestContext.Current.CancellationToken, new Dictionary<string, string?> { ["PATH"] = _temp.Combine("empty") }));

        Assert.Contains("'node' was not found", error.Message);
        Assert.Contains("Node.js 20 or later", error.Message);
    }

    [Fact]
    public async Task A_failing_npm_fails_with_its_last_lines()
    {
        _temp.Write("app/package.json", """{ "name": "x", "version": "1.0.0", "scripts": { "build": "node -e \"console.log('vite: something broke'); process.exit(3)\"" } }""");
        _temp.Write("app/package-lock.json", """{ "name": "x", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "x", "version": "1.0.0" } } }""");
        var app = new NodeApplication
        {
            Name = "x",
            Directory = _temp.Combine("app"),
            BuildScripts = ["build"],
            OutputEntries = ["package.json"],
            OutputDirectory = _temp.Combine("out"),
        };

        var error = await Assert.ThrowsAsync<ToolExitException>(() => app.BuildAsync(new ToolRunner(new SecretMasker()), TestContext.Current.CancellationToken));

        Assert.Contains("npm run build", error.Message);
        Assert.Contains("vite: something broke", error.Message);
        Assert.False(app.IsUpToDate());
        Assert.False(Directory.Exists(_temp.Combine("out")));
    }

    [Fact]
    public async Task A_successful_build_is_up_to_date_until_an_input_changes()
    {
        _temp.Write("app/package.json", """{ "name": "x", "version": "1.0.0", "scripts": { "build": "node -e \"require('fs').mkdirSync('build',{recursive:true});require('fs').writeFileSync('build/out.txt','built')\"" } }""");
        _temp.Write("app/package-lock.json", """{ "name": "x", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "x", "version": "1.0.0" } } }""");
        var app = new NodeApplication
        {
            Name = "x",
            Directory = _temp.Combine("app"),
            BuildScripts = ["build"],
            OutputEntries = ["build", "package.json", "package-lock.json"],
            OutputDirectory = _temp.Combine("out"),
        };
        Assert.False(app.IsUpToDate());

        await app.BuildAsync(new ToolRunner(new SecretMasker()), TestContext.Current.CancellationToken);

        Assert.True(app.IsUpToDate());
        Assert.Equal("built", File.ReadAllText(_temp.Combine("out/build/out.txt")));
        _temp.Write("app/src/new.js", "changed");
        Assert.False(app.IsUpToDate());
    }

    string FakeNode(string version)
    {
        var node = _temp.Write("bin/node", $"#!/bin/sh\necho {version}\n");
        File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        return Path.GetDirectoryName(node)!;
    }
}
