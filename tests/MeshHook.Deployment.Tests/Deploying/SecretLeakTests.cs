using System.IO.Compression;
using System.Net;
using System.Security;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MeshHook.Deployment.Environments;
using MeshHook.Deployment.Secrets;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

/// <summary>
/// A configuration secret full of characters that encoders change, plus a database URL password, through one full
/// local deploy, a second one, a rollback and a failed deploy, with an app that carelessly prints the secret (raw, as
/// JSON, URL-encoded, in base64). Afterwards no raw or encoded form of either is anywhere the deploy writes or prints:
/// console output, journal, logs under .deploy/local/shared/logs, Status --json, Releases --json, release archives.
/// The encodings searched for are made here with independent encoders (System.Text.Json, Uri, WebUtility, base64 at
/// each byte alignment, SecurityElement), not with the masker's code.
/// </summary>
[Collection(LocalEnvironments.Name)]
public sealed class SecretLeakTests
{
    const string Canary = "Leak&canary 'sq' \"dq\" +<tag>\\ ä end";
    const string Password = "pw&'\"+<>\\ ä 9z";
    static readonly string Token = $"{Canary}|postgresql://meshhook:{Uri.EscapeDataString(Password)}@127.0.0.1:5432/meshhook";

    // Prepended to the fixture web app: prints the secret the way careless app code does.
    const string CarelessLogging = """
        const leakToken = process.env.FIXTURE_TOKEN ?? '';
        const leakPassword = (() => { try { return decodeURIComponent(new URL(leakToken.slice(leakToken.indexOf('postgresql:'))).password); } catch { return ''; } })();
        console.log(JSON.stringify({ token: leakToken, password: leakPassword }));
        console.error('token ' + leakToken + ' url ' + encodeURIComponent(leakToken) + ' b64 ' + Buffer.from('ab' + leakToken).toString('base64') + ' pw ' + leakPassword);

        """;

    static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_form_of_a_secret_reaches_output_journal_logs_status_or_archives_across_deploys_a_rollback_and_a_failure()
    {
        await using var local = await LocalDeployment.CreateAsync(CancellationToken, healthTimeout: LocalDeployment.UnhealthyReleaseTimeout);
        var key = JsonDocument.Parse(File.ReadAllText(Path.Combine(local.Root, "fixture.json"))).RootElement.GetProperty("Key").GetString()!;
        var variables = new Dictionary<string, string> { ["MESHHOOK_SECRETS_KEY"] = key, ["HOME"] = local.Root };
        SecretStore.Open(local.Root, EnvironmentName.Local, variables, new SecretMasker()).Set("FIXTURE_TOKEN", Token);
        // What the build's masker holds once the deploy has read the secret (the build prints errors through it).
        var masker = new SecretMasker();
        masker.Register(Token);
        var console = new List<string>();

        void Careless(string web) => File.WriteAllText(Path.Combine(web, "build", "index.js"),
            CarelessLogging + File.ReadAllText(Path.Combine(web, "build", "index.js")));
        var first = local.Release(tamperWeb: Careless);
        var second = local.Release(tamperWeb: Careless);
        var broken = local.Release(healthMode: "503", tamperWeb: Careless);

        await local.Environment.DeployAsync(first, LocalDeployment.Options(), CancellationToken);
        await local.Environment.DeployAsync(second, LocalDeployment.Options(), CancellationToken);
        await local.Environment.RollbackAsync(null, LocalDeployment.Options(), CancellationToken);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => local.Environment.DeployAsync(broken, LocalDeployment.Options(), CancellationToken));
        console.Add(masker.Apply("error: " + failure.Message));
        Assert.Equal(first.Id, local.Environment.Layout.CurrentRelease());

        var places = new List<(string Where, string Text)>();
        lock (local.Output)
            places.Add(("console output", string.Join("\n", local.Output.Concat(console))));
        places.Add(("Status --json", EnvironmentOperations.StatusJson(await local.Environment.StatusAsync(CancellationToken), masker)));
        places.Add(("Releases --json", EnvironmentOperations.ReleasesJson(local.Environment.Releases(), masker)));
        foreach (var file in local.FilesOtherThanTheEnvFile())
        {
            var relative = Path.GetRelativePath(local.Root, file);
            places.Add((relative, File.ReadAllText(file)));
            if (file.EndsWith(".tar.gz", StringComparison.Ordinal))
                places.Add((relative + " (unpacked)", Unpacked(file)));
        }
        Assert.Contains(places, x => x.Where.Contains("journal.jsonl"));
        // The app did print the secret (masked or not): the test would prove nothing otherwise.
        Assert.Contains(places, x => x.Where.Contains(Path.Combine("shared", "logs")) && x.Text.Contains(" b64 ", StringComparison.Ordinal));
        Assert.Contains(places, x => x.Where.EndsWith(".tar.gz (unpacked)"));

        var leaks = places.SelectMany(x => FindLeaks(x.Where, x.Text)).ToList();
        Assert.True(leaks.Count == 0, "The secret leaked (place: which secret, which form (excerpt)):\n" + string.Join("\n", leaks) +
            "\nFiles under .deploy/local/shared/logs are the release processes' own output, written by the launcher (issue 15 item 9 masks them).");
    }

    static string Unpacked(string archive)
    {
        using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>"where: form of which secret" for every form of the canary and of the password found in the text.</summary>
    static IEnumerable<string> FindLeaks(string where, string text) =>
        from secret in new[] { ("the canary", Canary), ("the URL password", Password) }
        from form in Forms(secret.Item2)
        where text.Contains(form.Value, StringComparison.Ordinal)
        select $"  {where}: {secret.Item1}, {form.Name} form ({Excerpt(text, form.Value)})";

    static string Excerpt(string text, string value)
    {
        var at = text.IndexOf(value, StringComparison.Ordinal);
        var start = Math.Max(0, at - 40);
        return text.Substring(start, Math.Min(text.Length - start, value.Length + 80)).ReplaceLineEndings(" ");
    }

    static IEnumerable<(string Name, string Value)> Forms(string secret)
    {
        yield return ("raw", secret);
        yield return ("JSON-escaped", JsonSerializer.Serialize(secret)[1..^1]);
        yield return ("relaxed-JSON-escaped", JsonSerializer.Serialize(secret, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1]);
        yield return ("percent-encoded", Uri.EscapeDataString(secret));
        yield return ("form-encoded", WebUtility.UrlEncode(secret));
        yield return ("XML-escaped", SecurityElement.Escape(secret));
        var bytes = Encoding.UTF8.GetBytes(secret);
        for (var offset = 0; offset < 3; offset++)
        {
            // The base64 characters made only of the secret's bits when it starts at this byte offset.
            var encoded = Convert.ToBase64String(new byte[offset].Concat(bytes).ToArray());
            var first = (8 * offset + 5) / 6;
            var last = 8 * (offset + bytes.Length) / 6 - 1;
            yield return ($"base64 (offset {offset})", encoded[first..(last + 1)]);
        }
    }
}
