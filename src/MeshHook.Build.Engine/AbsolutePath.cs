namespace MeshHook.Build.Engine;

/// <summary>An absolute, normalized file-system path; <c>RootDirectory / "artifacts"</c> composes paths as in NUKE.</summary>
public sealed class AbsolutePath : IEquatable<AbsolutePath>
{
    readonly string _path;

    AbsolutePath(string path) => _path = path;

    public static AbsolutePath Create(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("A path must not be empty.", nameof(path));
        if (!Path.IsPathRooted(path))
            throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        return new AbsolutePath(Normalize(Path.GetFullPath(path)));
    }

    public static AbsolutePath operator /(AbsolutePath left, string right)
    {
        if (Path.IsPathRooted(right))
            throw new ArgumentException($"Cannot append the absolute path '{right}' to '{left}'.", nameof(right));
        return new AbsolutePath(Normalize(Path.GetFullPath(Path.Combine(left._path, right))));
    }

    public static implicit operator string(AbsolutePath path) => path._path;

    public AbsolutePath Parent => new(Normalize(Path.GetDirectoryName(_path) ?? _path));

    public string Name => Path.GetFileName(_path);

    public bool FileExists() => File.Exists(_path);

    public bool DirectoryExists() => Directory.Exists(_path);

    public AbsolutePath CreateDirectory()
    {
        Directory.CreateDirectory(_path);
        return this;
    }

    public void DeleteDirectory()
    {
        if (Directory.Exists(_path))
            Directory.Delete(_path, recursive: true);
    }

    public string RelativeTo(AbsolutePath other) => Path.GetRelativePath(other._path, _path);

    public bool Contains(AbsolutePath other) =>
        other._path == _path || other._path.StartsWith(_path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    public override string ToString() => _path;

    public bool Equals(AbsolutePath? other) => other is not null && other._path == _path;

    public override bool Equals(object? obj) => obj is AbsolutePath other && Equals(other);

    public override int GetHashCode() => _path.GetHashCode(StringComparison.Ordinal);

    static string Normalize(string path) =>
        path.Length > 1 ? path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) is { Length: > 0 } trimmed ? trimmed : path : path;
}
