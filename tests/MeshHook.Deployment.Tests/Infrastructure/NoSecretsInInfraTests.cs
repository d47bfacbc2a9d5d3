namespace MeshHook.Deployment.Tests.Infrastructure;

public sealed class NoSecretsInInfraTests
{
    [Fact]
    public void No_file_in_infra_holds_a_literal_that_looks_like_a_secret()
    {
        var files = Directory.EnumerateFiles(RepositoryFiles.Infra, "*", SearchOption.AllDirectories)
            .Where(x => !x.Contains($"{Path.DirectorySeparatorChar}.terraform{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(files, x => x.EndsWith(".tfvars", StringComparison.Ordinal));

        var findings = files.SelectMany(x => SecretLiteralScanner.Scan(Path.GetRelativePath(RepositoryFiles.Root, x), File.ReadAllText(x))).ToList();

        Assert.True(findings.Count == 0,
            "Secret-looking literals in infra/ (set secrets in Key Vault instead):\n" +
            string.Join("\n", findings.Select(x => $"  {x.File}:{x.Line}: {x.Kind}")));
    }

    [Theory]
    [InlineData("  admin_password = \"Sup3rS3cret!\"", "password literal")]
    [InlineData("password: \"hunter22\"", "password literal")]
    [InlineData("  client_secret = var.x", "client_secret")]
    [InlineData("conn = \"DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc;EndpointSuffix=core.windows.net\"", "storage connection string (AccountKey=)")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----", "private key")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "private key")]
    [InlineData("token = \"0123456789abcdef0123456789abcdef01234567\"", "long hex token")]
    [InlineData("key = \"q8Ws2Lk9Zx7Vb3Nm1Pq5Rt8Yu2Io4Ap6Sd9Fg3Hj7Kl0Zx==\"", "long base64 token")]
    [InlineData("url = \"https://st.blob.core.windows.net/c?sv=2022-11-02&sig=AbCdEf0123456789AbCdEf%2B\"", "SAS signature")]
    [InlineData("token = \"ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\"", "GitHub token")]
    public void The_scanner_finds_each_kind_of_secret(string line, string kind)
    {
        Assert.Contains(SecretLiteralScanner.Scan("sample.tf", line), x => x.Kind == kind);
    }

    [Theory]
    [InlineData("  key_vault_secret_id = \"${var.key_vault_uri}secrets/${secret.value}\"")]
    [InlineData("  password_secret_name = \"registry-password\"  # a name, not a value")]
    [InlineData("  admin_password = \"${var.admin_password}\"")]
    [InlineData("  principal_id = module.deploy_identity.principal_id")]
    [InlineData("    acr_pull = \"7f951dda-4ed3-4680-a7ca-43fe172d538d\"")]
    [InlineData("  container_app_environment_id = var.apps_environment_id")]
    [InlineData("  description = \"Resource id of the identity (what a container app's identity block lists).\"")]
    public void The_scanner_leaves_references_names_and_ids_alone(string line)
    {
        Assert.Empty(SecretLiteralScanner.Scan("sample.tf", line));
    }
}
