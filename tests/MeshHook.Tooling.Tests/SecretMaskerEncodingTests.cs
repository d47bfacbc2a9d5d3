using System.Net;
using System.Security;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MeshHook.Tooling.Tests;

/// <summary>
/// A secret that a program transforms (JSON, URL, base64, XML, command-line quoting) must be masked in that form too. The
/// expected encodings are made here with the framework's own encoders (and node's), not with the masker's code.
/// </summary>
public sealed class SecretMaskerEncodingTests
{
    // Every character that an encoder changes: & ' " + < > \ non-ASCII, spaces, and a slash for base64/URLs.
    public const string Canary = "Can&ary 'x\" +<y>\\ ä/z 9";

    static SecretMasker MaskerWith(params string[] secrets)
    {
        var masker = new SecretMasker();
        foreach (var secret in secrets)
            masker.Register(secret);
        return masker;
    }

    public static TheoryData<string, string> EncodedCanaries() => new()
    {
        { "raw", Canary },
        { "System.Text.Json default", JsonSerializer.Serialize(Canary) },
        { "System.Text.Json relaxed", JsonSerializer.Serialize(Canary, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) },
        { "JSON with lower-case hex", System.Text.RegularExpressions.Regex.Replace(JsonSerializer.Serialize(Canary), @"\\u[0-9A-F]{4}", x => x.Value.ToLowerInvariant()) },
        { "JSON in JSON is still JSON of the raw value", JsonSerializer.Serialize(new { error = "failed: " + Canary }) },
        { "Uri.EscapeDataString (%20)", Uri.EscapeDataString(Canary) },
        { "WebUtility.UrlEncode (+)", WebUtility.UrlEncode(Canary) },
        { "lower-case percent encoding", LowerHex(Uri.EscapeDataString(Canary)) },
        { "XML (SecurityElement)", SecurityElement.Escape(Canary) },
        { "HTML (WebUtility)", WebUtility.HtmlEncode(Canary) },
        { "double-quoted command-line argument", "\"" + Canary.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" },
        { "docker-style \\\" escape", Canary.Replace("\"", "\\\"") },
        { "single-quoted shell word", "'" + Canary.Replace("'", "'\\''") + "'" },
        { "base64 of the value alone", Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary)) },
    };

    static string LowerHex(string percentEncoded) =>
        System.Text.RegularExpressions.Regex.Replace(percentEncoded, "%[0-9A-F]{2}", x => x.Value.ToLowerInvariant());

    [Theory]
    [MemberData(nameof(EncodedCanaries))]
    public void Secret_is_masked_in_each_encoded_form(string form, string encoded)
    {
        var masker = MaskerWith(Canary);

        var masked = masker.Apply($"before {encoded} after");

        Assert.True(masked.Contains(SecretMasker.Mask, StringComparison.Ordinal), $"{form}: not masked in '{masked}'");
        Assert.StartsWith("before ", masked);
        Assert.EndsWith(" after", masked);
        // Nothing of the value's distinctive middle survives.
        Assert.DoesNotContain("ary", masked);
        Assert.DoesNotContain("ä", masked);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(5, 5)]
    [InlineData(7, 3)]
    public void Secret_inside_a_longer_base64_stream_is_masked_at_every_alignment(int before, int after)
    {
        // "user:password" in a basic-auth header is the classic case: the secret starts at any byte offset.
        var masker = MaskerWith(Canary);
        var secret = Encoding.UTF8.GetBytes(Canary);
        var stream = Enumerable.Repeat((byte)'u', before).Concat(secret).Concat(Enumerable.Repeat((byte)':', after)).ToArray();
        var encoded = Convert.ToBase64String(stream);

        var masked = masker.Apply(encoded);

        // Every base64 character made only of the secret's bits must be inside the masked stretch.
        var firstFull = (8 * before + 5) / 6;
        var lastFull = (8 * (before + secret.Length)) / 6 - 1;
        var maskAt = masked.IndexOf(SecretMasker.Mask, StringComparison.Ordinal);
        Assert.True(maskAt >= 0, $"not masked: {masked}");
        var left = masked[..maskAt];
        var right = masked[(maskAt + SecretMasker.Mask.Length)..];
        Assert.True(left.Length <= firstFull, $"offset {before}: '{left}' keeps secret characters (first secret-only character is {firstFull})");
        Assert.True(encoded.Length - right.Length >= lastFull + 1, $"offset {before}: '{right}' keeps secret characters");
        Assert.Equal(encoded[..left.Length], left);
        Assert.Equal(encoded[^right.Length..], right);
    }

    [Fact]
    public void Secret_in_url_safe_base64_is_masked()
    {
        var masker = MaskerWith("~~~secret>>>???");
        var urlSafe = Convert.ToBase64String(Encoding.UTF8.GetBytes("~~~secret>>>???")).Replace('+', '-').Replace('/', '_').TrimEnd('=');

        Assert.Contains("/", Convert.ToBase64String(Encoding.UTF8.GetBytes("~~~secret>>>???")));
        Assert.Equal("jwt=***", masker.Apply("jwt=" + urlSafe));
    }

    [Fact]
    public void Password_of_a_url_shaped_secret_is_masked_on_its_own()
    {
        var password = "p@ss w&rd+ä'\"<>\\";
        var url = $"postgresql://meshhook:{Uri.EscapeDataString(password)}@db.example.org:5432/app?sslmode=require";
        var masker = MaskerWith(url);

        Assert.Equal("DATABASE_URL=***", masker.Apply("DATABASE_URL=" + url));
        Assert.Equal("auth failed for password ***", masker.Apply("auth failed for password " + password));
        Assert.Equal("PGPASSWORD=***", masker.Apply("PGPASSWORD=" + Uri.EscapeDataString(password)));
        Assert.Equal("{\"password\":\"***\"}", masker.Apply(JsonSerializer.Serialize(new { password })));
        Assert.Equal("user info ***", masker.Apply("user info meshhook:" + password));
        // The user name alone is no secret (it would mask every "meshhook" in the output).
        Assert.Equal("user meshhook", masker.Apply("user meshhook"));
    }

    [Fact]
    public void Password_with_an_unescaped_at_sign_is_masked()
    {
        var masker = MaskerWith("https://deploy:se@cret-pw@example.org/");

        Assert.Equal("pw ***", masker.Apply("pw se@cret-pw"));
    }

    [Fact]
    public void Quoted_secret_is_also_masked_without_its_quotes()
    {
        var masker = MaskerWith("\"quoted-secret\"");

        Assert.Equal("value: ***", masker.Apply("value: quoted-secret"));
    }

    [Fact]
    public void Overlapping_forms_are_masked_as_one_stretch()
    {
        var masker = MaskerWith("abcdef", "defghi");

        Assert.Equal("x *** y", masker.Apply("x abcdefghi y"));
        Assert.Equal("******", masker.Apply("abcdefdefghi"));
    }

    [Fact]
    public async Task Secret_printed_as_json_by_node_is_masked()
    {
        // Node's JSON.stringify escapes only " and \ (the "relaxed" form); checked against the real program.
        var script = "process.stdout.write(JSON.stringify(process.argv[1]))";
        var runner = new ToolRunner(MaskerWith(Canary));
        var masker = runner.Masker;

        var result = await runner.RunAsync(new ToolCommand("node", "-e", script, "--", Canary) { LogOutput = false, Timeout = TimeSpan.FromSeconds(30) },
            TestContext.Current.CancellationToken);

        Assert.Equal("\"***\"", result.StandardOutput.Trim());
        Assert.Equal("\"***\"", masker.Apply(JsonSerializer.Serialize(Canary, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
    }
}
