namespace MeshHook.Deployment.Releases;

/// <summary>
/// How much one release archive may unpack to. A few kilobytes of gzip can expand to gigabytes, so every entry and the
/// whole archive are capped; an archive over a cap is refused naming the entry and the cap.
/// </summary>
public sealed record ExtractionLimits
{
    public const long GiB = 1L << 30;

    /// <summary>Largest single file (default 1 GiB).</summary>
    public long MaxEntryBytes { get; init; } = 1 * GiB;

    /// <summary>Largest total of all files of one archive (default 4 GiB).</summary>
    public long MaxArchiveBytes { get; init; } = 4 * GiB;

    /// <summary>Most entries of one archive (default 1,000,000: node_modules folders are large, but not that large).</summary>
    public int MaxEntries { get; init; } = 1_000_000;

    public static ExtractionLimits Default { get; } = new();

    public static string Describe(long bytes) =>
        bytes >= GiB && bytes % GiB == 0 ? $"{bytes / GiB} GiB"
        : bytes >= 1L << 20 && bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : $"{bytes} bytes";
}
