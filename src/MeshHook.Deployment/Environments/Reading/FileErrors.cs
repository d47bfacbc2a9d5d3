namespace MeshHook.Deployment.Environments.Reading;

/// <summary>
/// The problems found in one file, each as <c>file:line:column: key.path: what is wrong; what is allowed</c>. Reading goes
/// on after a problem, so that a person sees every problem of the file at once, in file order.
/// </summary>
internal sealed class FileErrors(string file, JsonPositions? positions)
{
    readonly List<(int Line, int Column, string Text)> _errors = [];

    public string File => file;

    public int Count => _errors.Count;

    public void Add(string path, string message)
    {
        var (line, column) = positions?.Of(path) ?? (0, 0);
        var location = line > 0 ? $"{file}:{line}:{column}" : file;
        _errors.Add((line, column, path.Length == 0 ? $"{location}: {message}" : $"{location}: {path}: {message}"));
    }

    public IReadOnlyList<string> InFileOrder() =>
        _errors.Select((x, i) => (x, i)).OrderBy(x => x.x.Line).ThenBy(x => x.x.Column).ThenBy(x => x.i).Select(x => x.x.Text).ToList();

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new EnvironmentConfigurationException(file, InFileOrder());
    }
}
