using System.Security;

namespace MeshHook.Build.Engine.Configuration.Ide;

/// <summary>
/// <c>.run/&lt;Target&gt;.run.xml</c>: a shell-script run configuration per listed target (Rider, IntelliJ IDEA) running
/// <c>./build.sh &lt;Target&gt;</c> from the repository root. The IDE lists every file of <c>.run/</c> as a shared configuration.
/// </summary>
public static class RiderRunConfigurations
{
    public const string Folder = ".run";
    // An XML comment cannot hold "--", so the option is named without its dashes.
    public const string Marker = "<!-- Generated from the build's targets (./build.sh with generate-configuration); do not edit. -->";

    public static IEnumerable<GeneratedFile> Generate(IReadOnlyList<ExecutableTarget> targets) =>
        targets.Where(x => x.IsListed).Select(target => new GeneratedFile($"{Folder}/{target.Name}.run.xml", $"""
            {Marker}
            <component name="ProjectRunConfigurationManager">
              <configuration default="false" name="{Escape(target.Name)}" type="ShConfigurationType" folderName="build.sh">
                <option name="SCRIPT_TEXT" value="" />
                <option name="INDEPENDENT_SCRIPT_PATH" value="true" />
                <option name="SCRIPT_PATH" value="$PROJECT_DIR$/build.sh" />
                <option name="SCRIPT_OPTIONS" value="{Escape(target.Name)}" />
                <option name="INDEPENDENT_SCRIPT_WORKING_DIRECTORY" value="true" />
                <option name="SCRIPT_WORKING_DIRECTORY" value="$PROJECT_DIR$" />
                <option name="INDEPENDENT_INTERPRETER_PATH" value="true" />
                <option name="INTERPRETER_PATH" value="/bin/bash" />
                <option name="INTERPRETER_OPTIONS" value="" />
                <option name="EXECUTE_IN_TERMINAL" value="true" />
                <option name="EXECUTE_SCRIPT_FILE" value="true" />
                <envs />
                <method v="2" />
              </configuration>
            </component>

            """));

    static string Escape(string text) => SecurityElement.Escape(text);
}
