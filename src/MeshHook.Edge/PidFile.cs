using System.Globalization;

namespace MeshHook.Edge;

/// <summary>The pid file: written atomically (temp + rename) once the edge listens; removed on clean exit if still ours.</summary>
internal sealed class PidFile(string path)
{
    public string Path { get; } = path;

    public void Write(int pid)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temp = $"{Path}.{pid}.tmp";
        File.WriteAllText(temp, pid.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temp, Path, overwrite: true);
    }

    /// <summary>Deletes the file when it still names <paramref name="pid"/> (a newer edge may have replaced it).</summary>
    public void Delete(int pid)
    {
        try
        {
            if (File.Exists(Path) && File.ReadAllText(Path).Trim() == pid.ToString(CultureInfo.InvariantCulture))
            {
                File.Delete(Path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort on the way out.
        }
    }
}
