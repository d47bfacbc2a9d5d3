using System.Security.Cryptography;
using System.Text;

namespace MeshHook.Build.Engine.Execution;

/// <summary>
/// <c>.nuke/temp/build-attempt.log</c>: the hash of the invocation, then the names of targets that succeeded. With
/// <c>--continue</c> and the same invocation, those targets are skipped; a changed invocation starts over.
/// </summary>
internal sealed class AttemptLog(string path, IReadOnlyList<string> arguments)
{
    readonly object _gate = new();

    string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0',
        arguments.Where(x => Suggestions.Normalize(x) != "continue")))));

    /// <summary>Targets that succeeded in the previous attempt of this same invocation (empty when it differs).</summary>
    public IReadOnlySet<string> PreviouslySucceeded()
    {
        if (!File.Exists(path))
            return new HashSet<string>();
        var lines = File.ReadAllLines(path);
        return lines.Length > 0 && lines[0] == Hash ? lines.Skip(1).ToHashSet() : new HashSet<string>();
    }

    public void Start(IEnumerable<string> carriedOver)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, new[] { Hash }.Concat(carriedOver));
    }

    public void Succeeded(string target)
    {
        lock (_gate)
            File.AppendAllLines(path, [target]);
    }
}
