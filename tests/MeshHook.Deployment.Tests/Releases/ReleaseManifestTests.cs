using System.Text.Json.Nodes;
using MeshHook.Deployment.Health;
using MeshHook.Deployment.Processes;
using MeshHook.Deployment.Releases;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;
using Microsoft.Extensions.Time.Testing;

namespace MeshHook.Deployment.Tests.Releases;

/// <summary>release.json is validated strictly wherever it is read: an artifact name is a folder name, never a path.</summary>
public sealed class ReleaseManifestTests : IDisposable
{
    readonly TempDirectory _temp = new();
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero));
    readonly ReleaseStore _store;
    readonly ReleaseManifest _release;

    public ReleaseManifestTests()
    {
        _store = new ReleaseStore(_temp.Combine("artifacts", "releases"));
        _temp.Write("web/index.js", "export {}");
        _temp.Write("workers/worker.mjs", "export {}");
        _release = new ReleasePackager(_store, _time).Package(new SourceRevision("3cef07578982f5b5171f406a5b3313e8036a2839", "1.4.2", false), "ci@runner",
            [new ReleaseContent("web", _temp.Combine("web")), new ReleaseContent("workers", _temp.Combine("workers"))], ["20260101000000_init.sql"]);
    }

    public void Dispose() => _temp.Dispose();

    string ManifestPath => Path.Combine(_store.PathOf(new ReleaseId(_release.Id)), ReleaseManifest.FileName);

    /// <summary>Rewrites one field of the stored release.json (checksums left as they are: they still verify).</summary>
    void Tamper(string path, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    public static TheoryData<string, string, string> Tamperings => new()
    {
        { "artifacts[0].name", "/home/user", "name" },
        { "artifacts[0].name", "../../shared", "name" },
        { "artifacts[0].name", "Web", "name" },
        { "artifacts[0].name", "", "name" },
        { "artifacts[1].name", "web", "name" },
        { "artifacts[0].file", "../web.tar.gz", "file" },
        { "artifacts[0].file", "sub/web.tar.gz", "file" },
        { "artifacts[0].file", "..", "file" },
        { "artifacts[0].sha256", "ABC", "sha256" },
        { "artifacts[0].sha256", new string('A', 64), "sha256" },
        { "migrations[0]", "../../etc/passwd", "migrations" },
        { "id", "../20261130-064512-3cef07578982", "id" },
        { "commit", "HEAD; rm -rf /", "commit" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void A_manifest_with_a_field_outside_its_format_is_refused_naming_the_file_and_the_field(string field, string value, string property)
    {
        Tamper(ManifestPath, json =>
        {
            if (field.StartsWith("artifacts[", StringComparison.Ordinal))
                json["artifacts"]![int.Parse(field[10..11])]![property] = value;
            else if (field.StartsWith("migrations[", StringComparison.Ordinal))
                json["migrations"]![0] = value;
            else
                json[property] = value;
        });

        var load = Assert.Throws<ReleaseException>(() => ReleaseManifest.Load(ManifestPath));
        var verify = Assert.Throws<ReleaseException>(() => _store.Verify(_release.Id));

        Assert.Contains(ManifestPath, load.Message);
        Assert.Contains($"{field} '{value}' is not allowed", load.Message);
        Assert.Contains("expected", load.Message);
        Assert.Equal(load.Message, verify.Message);
    }

    [Fact]
    public void A_negative_size_an_unknown_schema_and_a_missing_field_are_refused()
    {
        Tamper(ManifestPath, json => json["artifacts"]![0]!["size"] = -1);
        Assert.Contains("artifacts[0].size '-1' is not allowed", Assert.Throws<ReleaseException>(() => ReleaseManifest.Load(ManifestPath)).Message);

        Tamper(ManifestPath, json => { json["artifacts"]![0]!["size"] = 1; json["schemaVersion"] = 2; });
        Assert.Contains("schemaVersion '2' is not allowed: expected only 1 is supported", Assert.Throws<ReleaseException>(() => ReleaseManifest.Load(ManifestPath)).Message);

        Tamper(ManifestPath, json => { json["schemaVersion"] = 1; json["artifacts"]![0]!["name"] = null; });
        Assert.Contains("artifacts[0].name is missing", Assert.Throws<ReleaseException>(() => ReleaseManifest.Load(ManifestPath)).Message);
    }

    [Fact]
    public void A_manifest_whose_id_is_not_its_folder_is_refused()
    {
        Tamper(ManifestPath, json => json["id"] = "20200101-000000-deadbeef0000");

        Assert.Contains("is not the id of its folder", Assert.Throws<ReleaseException>(() => _store.Get(_release.Id)).Message);
    }

    [Fact]
    public void The_packager_refuses_an_artifact_name_that_is_a_path_before_writing_anything()
    {
        var error = Assert.Throws<ReleaseException>(() => new ReleasePackager(_store, _time).Package(
            new SourceRevision("3cef07578982f5b5171f406a5b3313e8036a2839", "1.4.3", false), "b", [new ReleaseContent("../escape", _temp.Combine("web"))], []));

        Assert.Contains("'../escape'", error.Message);
        Assert.False(File.Exists(_temp.Combine("artifacts", "escape.tar.gz")));
    }

    [Fact]
    public void The_local_target_validates_the_staged_copy_it_reads_under_deploy_releases()
    {
        var layout = LocalLayout.For(_temp.Path);
        var staged = Path.Combine(layout.ReleaseDirectory(_release.Id), ReleaseManifest.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
        File.Copy(ManifestPath, staged);
        Tamper(staged, json => json["artifacts"]![0]!["name"] = "../../shared");
        var settings = new LocalSettings
        {
            Url = new Uri("http://127.0.0.1:8480"),
            Health = new HealthOptions(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)),
            ConfigurationKeys = [],
            ExternalDatabase = true,
            EdgeAssembly = "edge.dll",
            PgliteServer = "pglite-server.js",
            SupabaseCli = "supabase.js",
        };
        var planner = new LocalPlanner(layout, settings, _store, new ProcessSupervisor(_temp.Combine("run"), new ToolRunner(new SecretMasker()), _time));

        var error = Assert.Throws<ReleaseException>(() => planner.PlanDeploy(_release));

        Assert.Contains(staged, error.Message);
        Assert.Contains("artifacts[0].name '../../shared' is not allowed", error.Message);
    }
}
