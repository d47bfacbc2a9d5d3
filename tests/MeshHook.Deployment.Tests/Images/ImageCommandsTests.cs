using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Images;
using MeshHook.Deployment.Releases;

namespace MeshHook.Deployment.Tests.Images;

/// <summary>The image commands and plans, read as data: nothing runs.</summary>
public sealed class ImageCommandsTests
{
    const string BaseImage = "node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0";
    const string Registry = "crmeshhookstagmh01.azurecr.io";
    const string ReleaseId = "20261130-064512-a1b2c3d4e5f6";

    static readonly ReleaseManifest Release = new()
    {
        Id = ReleaseId,
        Version = "1.4.0",
        Commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        CreatedAt = new DateTimeOffset(2026, 11, 30, 6, 45, 12, TimeSpan.Zero),
        Builder = "ci@runner",
        Dirty = false,
        Migrations = ["20261101000000_init.sql"],
        Artifacts =
        [
            new ReleaseArtifact("web", "web.tar.gz", new string('1', 64), 100),
            new ReleaseArtifact("workers", "workers.tar.gz", new string('2', 64), 200),
            new ReleaseArtifact("migrations", "migrations.tar.gz", new string('3', 64), 300),
        ],
    };

    static ImageSettings Settings(ImageBuilderKind builder = ImageBuilderKind.Docker, string registry = Registry) => new()
    {
        Registry = registry,
        BaseImage = BaseImage,
        Builder = builder,
        SourceUrl = "https://github.com/example/meshhook",
    };

    static readonly ReleaseImage Web = new("web", "meshhook-web", Registry, ReleaseId);

    static readonly string[] BuildArguments =
    [
        "--build-arg", "NODE_IMAGE=" + BaseImage,
        "--build-arg", "RELEASE_ID=" + ReleaseId,
        "--build-arg", "RELEASE_VERSION=1.4.0",
        "--build-arg", "RELEASE_COMMIT=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        "--build-arg", "RELEASE_CREATED=2026-11-30T06:45:12Z",
        "--build-arg", "SOURCE_URL=https://github.com/example/meshhook",
    ];

    static ImagePlan Plan(ImageBuilderKind builder = ImageBuilderKind.Docker, string registry = Registry) =>
        new ImagePlanner(new ImageSources("/work/repo"), new ReleaseStore("/work/repo/artifacts/releases"), Settings(builder, registry), "/work/repo/.nuke/temp/images")
            .Plan("staging", Release);

    [Fact]
    public void Docker_build_is_for_linux_amd64_tagged_with_the_release_id_and_labelled_from_the_release()
    {
        var command = new ImageCommands(Settings()).Build(Web, Release, "/ctx/web");

        Assert.Equal("docker", command.Executable);
        Assert.Equal(
        [
            "build", "--platform", "linux/amd64", "--file", "/ctx/web/Dockerfile",
            "--tag", "crmeshhookstagmh01.azurecr.io/meshhook-web:20261130-064512-a1b2c3d4e5f6",
            .. BuildArguments,
            "/ctx/web",
        ], command.Arguments);
        Assert.Equal(TimeSpan.FromMinutes(30), command.Timeout);
    }

    [Fact]
    public void Push_and_login_name_the_registry()
    {
        var commands = new ImageCommands(Settings());

        Assert.Equal(["push", "crmeshhookstagmh01.azurecr.io/meshhook-web:20261130-064512-a1b2c3d4e5f6"], commands.Push(Web).Arguments);
        Assert.Equal("az", commands.Login()!.Executable);
        Assert.Equal(["acr", "login", "--name", "crmeshhookstagmh01"], commands.Login()!.Arguments);
        Assert.Null(new ImageCommands(Settings(registry: "127.0.0.1:5000")).Login());
    }

    [Fact]
    public void Acr_build_uploads_the_context_with_the_same_build_arguments_and_platform()
    {
        var command = new ImageCommands(Settings(ImageBuilderKind.Acr)).AcrBuild(Web, Release, "/ctx/web");

        Assert.Equal("az", command.Executable);
        Assert.Equal(
        [
            "acr", "build", "--registry", "crmeshhookstagmh01", "--image", "meshhook-web:20261130-064512-a1b2c3d4e5f6",
            "--file", "Dockerfile", "--platform", "linux/amd64",
            .. BuildArguments,
            "/ctx/web",
        ], command.Arguments);
    }

    [Fact]
    public void Without_a_known_repository_url_the_source_label_is_left_out_of_the_arguments()
    {
        var arguments = new ImageCommands(Settings() with { SourceUrl = null }).BuildArguments(Release);

        Assert.DoesNotContain(arguments, x => x.StartsWith("SOURCE_URL=", StringComparison.Ordinal));
        Assert.Equal("https://github.com/octo/meshhook",
            ImageSettings.SourceUrlFrom(new Dictionary<string, string> { ["GITHUB_SERVER_URL"] = "https://github.com/", ["GITHUB_REPOSITORY"] = "octo/meshhook" }));
        Assert.Null(ImageSettings.SourceUrlFrom(new Dictionary<string, string> { ["GITHUB_REPOSITORY"] = "octo/meshhook" }));
    }

    [Fact]
    public void The_daemon_check_does_not_throw_so_the_builder_can_explain()
    {
        var command = new ImageCommands(Settings() with { DockerEnvironment = new Dictionary<string, string?> { ["DOCKER_HOST"] = "tcp://127.0.0.1:9" } }).DaemonCheck();

        Assert.Equal(["info", "--format", "{{.ServerVersion}}"], command.Arguments);
        Assert.False(command.ThrowOnFailure);
        Assert.Equal("tcp://127.0.0.1:9", command.Environment["DOCKER_HOST"]);
    }

    [Fact]
    public void The_docker_plan_checks_the_daemon_first_and_builds_both_images_before_pushing_either()
    {
        Assert.Equal(
            """
            Images of 20261130-064512-a1b2c3d4e5f6 for staging, built with Docker, pushed to crmeshhookstagmh01.azurecr.io:
              crmeshhookstagmh01.azurecr.io/meshhook-web:20261130-064512-a1b2c3d4e5f6
              crmeshhookstagmh01.azurecr.io/meshhook-workers:20261130-064512-a1b2c3d4e5f6
              steps:
                - check that a Docker daemon answers: docker info --format '{{.ServerVersion}}'
                - verify the sha256 and size of every artifact of 20261130-064512-a1b2c3d4e5f6 against its release.json
                - make the build context of meshhook-web in /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6/web: extract web.tar.gz to app/, copy docker/web.Dockerfile to Dockerfile
                - make the build context of meshhook-workers in /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6/workers: extract workers.tar.gz to app/, copy docker/workers.Dockerfile to Dockerfile
                - run docker build --platform linux/amd64 --file /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6/web/Dockerfile --tag crmeshhookstagmh01.azurecr.io/meshhook-web:20261130-064512-a1b2c3d4e5f6 --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 --build-arg RELEASE_ID=20261130-064512-a1b2c3d4e5f6 --build-arg RELEASE_VERSION=1.4.0 --build-arg RELEASE_COMMIT=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 --build-arg RELEASE_CREATED=2026-11-30T06:45:12Z --build-arg SOURCE_URL=https://github.com/example/meshhook /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6/web
                - run docker build --platform linux/amd64 --file /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6/workers/Dockerfile --tag crmeshhookstagmh01.azurecr.io/meshhook-workers:20261130-064512-a1b2c3d4e5f6 --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 --build-arg RELEASE_ID=20261130-064512-a1b2c3d4e5f6 --build-arg RELEASE_VERSION=1.4.0 --build-arg RELEASE_COMMIT=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 --build-arg RELEASE_CREATED=2026-11-30T06:45:12Z --build-arg SOURCE_URL=https://github.com/example/meshhook /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6/workers
                - run az acr login --name crmeshhookstagmh01
                - run docker push crmeshhookstagmh01.azurecr.io/meshhook-web:20261130-064512-a1b2c3d4e5f6
                - run docker push crmeshhookstagmh01.azurecr.io/meshhook-workers:20261130-064512-a1b2c3d4e5f6
              afterwards (also on failure): remove /work/repo/.nuke/temp/images/20261130-064512-a1b2c3d4e5f6

            """.ReplaceLineEndings(), Plan().Describe());
    }

    [Fact]
    public void The_acr_plan_needs_no_daemon_and_builds_in_the_registry()
    {
        var plan = Plan(ImageBuilderKind.Acr);

        Assert.DoesNotContain(plan.Steps, x => x is CheckDockerDaemon);
        Assert.IsType<VerifyReleaseArtifacts>(plan.Steps[0]);
        var commands = plan.Steps.OfType<RunImageTool>().Select(x => x.Command).ToList();
        Assert.Equal(["az", "az"], commands.Select(x => x.Executable));
        Assert.Equal(["meshhook-web:" + ReleaseId, "meshhook-workers:" + ReleaseId], commands.Select(x => x.Arguments[5]));
    }

    [Fact]
    public void Acr_build_for_a_registry_that_is_not_an_azure_container_registry_is_refused()
    {
        var error = Assert.Throws<ImageException>(() => Plan(ImageBuilderKind.Acr, "127.0.0.1:5000"));

        Assert.Contains("127.0.0.1:5000 is not one", error.Message);
        Assert.Empty(Plan(ImageBuilderKind.Docker, "127.0.0.1:5000").AcrAlternative);
    }

    [Fact]
    public void The_registry_is_MESHHOOK_REGISTRY_else_target_registry()
    {
        var target = new TargetOptions { Kind = TargetKind.ContainerApps, Registry = Registry };

        Assert.Equal(Registry, ImageRegistry.Resolve(EnvironmentName.Staging, target, new Dictionary<string, string>()));
        Assert.Equal("127.0.0.1:5000",
            ImageRegistry.Resolve(EnvironmentName.Staging, target, new Dictionary<string, string> { ["MESHHOOK_REGISTRY"] = "127.0.0.1:5000" }));
    }

    [Fact]
    public void A_missing_registry_names_both_places_to_set_it()
    {
        var error = Assert.Throws<ImageException>(() =>
            ImageRegistry.Resolve(EnvironmentName.Dev, new TargetOptions { Kind = TargetKind.ContainerApps }, new Dictionary<string, string>()));

        Assert.Contains("target.registry in infra/environments/dev/environment.json", error.Message);
        Assert.Contains("MESHHOOK_REGISTRY", error.Message);
    }

    [Fact]
    public void The_local_environment_is_told_that_images_are_for_cloud_environments()
    {
        var error = Assert.Throws<ImageException>(() =>
            ImageRegistry.Resolve(EnvironmentName.Local, new TargetOptions { Kind = TargetKind.Local }, new Dictionary<string, string>()));

        Assert.Contains("images are for cloud environments", error.Message);
    }

    [Theory]
    [InlineData("https://crmeshhookdevmh01.azurecr.io")]
    [InlineData("crmeshhookdevmh01.azurecr.io/meshhook")]
    [InlineData("CR.azurecr.io")]
    public void A_malformed_MESHHOOK_REGISTRY_is_refused(string value)
    {
        var error = Assert.Throws<ImageException>(() => ImageRegistry.Resolve(EnvironmentName.Dev,
            new TargetOptions { Kind = TargetKind.ContainerApps, Registry = Registry }, new Dictionary<string, string> { ["MESHHOOK_REGISTRY"] = value }));

        Assert.Contains("is not a registry login server", error.Message);
    }
}
