namespace MeshHook.Tooling;

/// <summary>Where the live output of programs goes (the build log, a deployment log); lines arrive masked.</summary>
public interface IToolOutputSink
{
    void Write(ToolCommand command, OutputLine line);
}
