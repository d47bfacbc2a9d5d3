namespace MeshHook.Deployment.Tests.Releases;

/// <summary>A folder under /tmp deleted at the end of the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
        : this(Directory.CreateTempSubdirectory("meshhook-test-").FullName, owned: true)
    {
    }

    TempDirectory(string path, bool owned)
    {
        Path = path;
        Owned = owned;
    }

    /// <summary>An existing folder that is not deleted at the end (a child process working in its parent's folder).</summary>
    public static TempDirectory Existing(string path) => new(path, owned: false);

    public string Path { get; }

    bool Owned { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Write(string relative, string content)
    {
        var file = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        if (!Owned)
            return;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
