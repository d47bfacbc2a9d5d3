using System.Security.Cryptography;
using System.Text;

namespace MeshHook.Deployment.Building;

/// <summary>
/// A hash of the contents and relative paths of a build's input files, so a build can be skipped when nothing it reads
/// changed since its last success. Contents, not timestamps: a fresh clone or a checkout of the same commit still matches.
/// </summary>
public static class InputFingerprint
{
    public static string Compute(string directory, IReadOnlySet<string> excludedDirectories, Func<string, bool>? excludeFile = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Files(directory, excludedDirectories, excludeFile))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(directory, file).Replace('\\', '/') + "\0"));
            hash.AppendData(SHA256.HashData(File.ReadAllBytes(file)));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static IEnumerable<string> Files(string root, IReadOnlySet<string> excludedDirectories, Func<string, bool>? excludeFile)
    {
        var files = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(directory))
            {
                if (!excludedDirectories.Contains(Path.GetFileName(sub)))
                    pending.Push(sub);
            }
            files.AddRange(Directory.EnumerateFiles(directory).Where(x => excludeFile is null || !excludeFile(x)));
        }
        return files.OrderBy(x => x, StringComparer.Ordinal);
    }
}
