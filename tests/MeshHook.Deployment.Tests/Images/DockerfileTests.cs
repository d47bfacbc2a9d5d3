using MeshHook.Deployment.Images;
using MeshHook.Deployment.Tests.Infrastructure;

namespace MeshHook.Deployment.Tests.Images;

/// <summary>The repository's Dockerfiles, read as text (no daemon here): the rules hold, and each rule catches what it is for.</summary>
public sealed class DockerfileTests
{
    static readonly ImageSources Sources = new(RepositoryFiles.Root);

    static string Read(string artifact) => File.ReadAllText(Sources.Dockerfile(artifact));

    static IReadOnlyList<string> Check(string text) => DockerfileRules.Check(text, DockerfileRules.EnvironmentSecretNames());

    [Theory]
    [InlineData("web")]
    [InlineData("workers")]
    public void Each_image_of_a_release_has_a_Dockerfile_that_follows_every_rule(string artifact)
    {
        Assert.Contains(ReleaseImage.Kinds, x => x.Artifact == artifact);
        Assert.Empty(Check(Read(artifact)));
    }

    [Fact]
    public void The_base_image_is_pinned_by_digest_in_one_place_that_both_Dockerfiles_take()
    {
        var baseImage = Sources.BaseImage();

        Assert.Matches("^node:20-bookworm-slim@sha256:[0-9a-f]{64}$", baseImage);
        foreach (var (artifact, _) in ReleaseImage.Kinds)
        {
            var froms = DockerfileInstructions.Parse(Read(artifact)).Where(x => x.Keyword == "FROM").ToList();
            Assert.Equal(["${NODE_IMAGE}"], froms.Select(x => x.Arguments));
            // No second pin to drift: the digest lives in docker/base-image.txt only.
            Assert.DoesNotContain(Read(artifact).Split('\n'), x => !x.TrimStart().StartsWith('#') && x.Contains("sha256:", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("web", "[\"node\", \"build/index.js\"]", "3000")]
    [InlineData("workers", "[\"node\", \"worker.mjs\"]", "8081")]
    public void The_images_run_what_the_local_target_runs_on_the_port_infra_probes(string artifact, string command, string port)
    {
        var instructions = DockerfileInstructions.Parse(Read(artifact));

        Assert.Equal(command, instructions.Last(x => x.Keyword == "CMD").Arguments);
        Assert.Equal(port, instructions.Single(x => x.Keyword == "EXPOSE").Arguments);
        Assert.Equal("/app", instructions.Single(x => x.Keyword == "WORKDIR").Arguments);
        Assert.Equal("node", instructions.Single(x => x.Keyword == "USER").Arguments);
    }

    [Fact]
    public void The_secret_names_come_from_the_environment_files()
    {
        var names = DockerfileRules.EnvironmentSecretNames();

        Assert.Contains("DEFAULT_WEBHOOK_SECRET", names);
        Assert.Contains("SUPABASE_SERVICE_ROLE_KEY", names);
        Assert.Contains("DATABASE_URL", names);
    }

    // Each rule must be able to fail: the web Dockerfile with one thing broken is reported for exactly that.
    [Theory]
    [InlineData("FROM ${NODE_IMAGE}", "FROM node:20-bookworm-slim", "base: line")]
    [InlineData("ARG NODE_IMAGE\nFROM", "ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0\nFROM", "has a default")]
    [InlineData("USER node", "USER root", "user: line")]
    [InlineData("USER node", "", "no USER before CMD")]
    [InlineData("CMD [\"node\", \"build/index.js\"]", "CMD node build/index.js", "shell form")]
    [InlineData("CMD [\"node\", \"build/index.js\"]", "CMD [\"node\", \"build/index.js\"]\nUSER 0", "after CMD")]
    [InlineData("HEALTHCHECK ", "# HEALTHCHECK ", "no HEALTHCHECK")]
    [InlineData("      org.opencontainers.image.revision=\"${RELEASE_COMMIT}\" \\\n", "", "no org.opencontainers.image.revision")]
    [InlineData("ARG RELEASE_ID\n", "ARG RELEASE_ID\nARG DEFAULT_WEBHOOK_SECRET\n", "ARG DEFAULT_WEBHOOK_SECRET names a secret")]
    [InlineData("ARG RELEASE_ID\n", "ARG RELEASE_ID\nARG GITHUB_TOKEN\n", "ARG GITHUB_TOKEN names a secret")]
    [InlineData("    PORT=3000 \\", "    PORT=3000 \\\n    DATABASE_URL=postgresql://app@db/meshhook \\", "ENV DATABASE_URL names a secret")]
    [InlineData("    PORT=3000 \\", "    PORT=3000 \\\n    UPSTREAM=postgresql://app:hunter2@db/meshhook \\", "ENV UPSTREAM has a value that looks like a secret")]
    [InlineData("COPY app/ ./", "COPY ../src/web ./", "outside the build context")]
    [InlineData("COPY app/ ./", "COPY --from=builder /app ./", "--from")]
    [InlineData("COPY app/ ./", "COPY . ./", "only app/")]
    public void A_broken_Dockerfile_is_reported_for_the_rule_it_breaks(string original, string broken, string expected)
    {
        var text = Read("web");
        Assert.Contains(original, text);
        Assert.Empty(Check(text));

        var problems = Check(text.Replace(original, broken));

        Assert.Contains(problems, x => x.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unpinned_base_image_file_is_refused_naming_the_file()
    {
        using var repository = new Releases.TempDirectory();
        repository.Write("docker/base-image.txt", "# the base\nnode:20-bookworm-slim\n");

        var error = Assert.Throws<ImageException>(() => new ImageSources(repository.Path).BaseImage());

        Assert.Contains("docker/base-image.txt", error.Message);
        Assert.Contains("not pinned by digest", error.Message);
    }
}
