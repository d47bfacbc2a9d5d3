namespace MeshHook.Build.Engine.Configuration.GitHubActions;

/// <summary>
/// Every action the generated workflows use, pinned by full commit SHA (a tag can be moved; a commit cannot) with the
/// release as a comment. The one place to update an action.
/// </summary>
public static class ActionPins
{
    public sealed record Pin(string Action, string Commit, string Release)
    {
        public YamlValue Uses => new($"{Action}@{Commit}", Release);
    }

    public static readonly Pin Checkout = new("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1");
    public static readonly Pin SetupDotNet = new("actions/setup-dotnet", "a98b56852c35b8e3190ac28c8c2271da59106c68", "v6.0.0");
    public static readonly Pin SetupNode = new("actions/setup-node", "820762786026740c76f36085b0efc47a31fe5020", "v7.0.0");
    public static readonly Pin Cache = new("actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5");
    public static readonly Pin UploadArtifact = new("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0");
    public static readonly Pin DownloadArtifact = new("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1");
    public static readonly Pin AzureLogin = new("azure/login", "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1");
    public static readonly Pin SetupTerraform = new("hashicorp/setup-terraform", "dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1");
    public static readonly Pin AttestBuildProvenance = new("actions/attest-build-provenance", "a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32", "v4.1.0");

    public static IReadOnlyList<Pin> All => [Checkout, SetupDotNet, SetupNode, Cache, UploadArtifact, DownloadArtifact, AzureLogin, SetupTerraform, AttestBuildProvenance];
}
