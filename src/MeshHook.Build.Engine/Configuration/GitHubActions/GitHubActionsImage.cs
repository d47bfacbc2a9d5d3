namespace MeshHook.Build.Engine.Configuration.GitHubActions;

/// <summary>The runner a job runs on (<c>runs-on</c>).</summary>
public enum GitHubActionsImage
{
    UbuntuLatest,
    Ubuntu2404,
    Ubuntu2204,
    WindowsLatest,
    MacOsLatest,
}

internal static class GitHubActionsImageLabels
{
    public static string Label(this GitHubActionsImage image) => image switch
    {
        GitHubActionsImage.UbuntuLatest => "ubuntu-latest",
        GitHubActionsImage.Ubuntu2404 => "ubuntu-24.04",
        GitHubActionsImage.Ubuntu2204 => "ubuntu-22.04",
        GitHubActionsImage.WindowsLatest => "windows-latest",
        GitHubActionsImage.MacOsLatest => "macos-latest",
        _ => throw new ArgumentOutOfRangeException(nameof(image), image, null),
    };
}
