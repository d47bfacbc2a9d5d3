using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace MeshHook.Build.Engine.Tests.Configuration;

public sealed class IdeRunnerTests
{
    [Fact]
    public void Tasks_json_has_a_task_per_listed_target_with_default_build_and_test_tasks_and_the_compiler_matcher()
    {
        var tasks = JsonNode.Parse(Workflows.File<SampleBuild>(".vscode/tasks.json"))!["tasks"]!.AsArray();
        Assert.Equal(["Compile", "Test", "Pack", "Ship", "Undo", "Announce", "TerraformPlan", "TerraformApply"],
            tasks.Select(x => (string)x!["label"]!));
        foreach (var task in tasks)
        {
            Assert.Equal("./build.sh", (string)task!["command"]!);
            Assert.Equal((string)task["label"]!, (string)task["args"]![0]!);
            Assert.Equal("$msCompile", (string)task["problemMatcher"]![0]!);
        }
        Assert.Equal("build", (string)tasks.Single(x => (string)x!["label"]! == "Compile")!["group"]!["kind"]!);
        Assert.Equal("test", (string)tasks.Single(x => (string)x!["label"]! == "Test")!["group"]!["kind"]!);
        Assert.Equal(2, tasks.Count(x => x!["group"] is not null));
    }

    [Fact]
    public void Run_configuration_runs_build_sh_with_the_target_from_the_project_directory()
    {
        var xml = XDocument.Parse(Workflows.File<SampleBuild>(".run/TerraformPlan.run.xml"));
        var configuration = xml.Root!.Element("configuration")!;
        Assert.Equal("TerraformPlan", configuration.Attribute("name")!.Value);
        Assert.Equal("ShConfigurationType", configuration.Attribute("type")!.Value);
        string Option(string name) => configuration.Elements("option").Single(x => x.Attribute("name")!.Value == name).Attribute("value")!.Value;
        Assert.Equal("$PROJECT_DIR$/build.sh", Option("SCRIPT_PATH"));
        Assert.Equal("TerraformPlan", Option("SCRIPT_OPTIONS"));
        Assert.Equal("$PROJECT_DIR$", Option("SCRIPT_WORKING_DIRECTORY"));
    }
}
