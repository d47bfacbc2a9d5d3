using System.Text.Json;

namespace MeshHook.Tooling.Tests;

public sealed class MaskedJsonTests
{
    sealed record Row(string Name, string? Error, IReadOnlyList<string> Notes, Dictionary<string, string> Extra, int Count);

    [Fact]
    public void Every_string_is_masked_before_serialising_and_the_result_is_valid_json()
    {
        var masker = new SecretMasker();
        masker.Register(SecretMaskerEncodingTests.Canary);
        var row = new Row("web", "failed: " + SecretMaskerEncodingTests.Canary, ["a", SecretMaskerEncodingTests.Canary + "!"],
            new() { ["token"] = SecretMaskerEncodingTests.Canary }, 3);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };

        var json = MaskedJson.Serialize(row, options, masker);

        Assert.DoesNotContain(JsonSerializer.Serialize(SecretMaskerEncodingTests.Canary)[1..^1], json);
        var back = JsonSerializer.Deserialize<Row>(json, options)!;
        Assert.Equal(new Row("web", "failed: ***", ["a", "***!"], new() { ["token"] = "***" }, 3) with { Notes = back.Notes, Extra = back.Extra }, back);
        Assert.Equal(["a", "***!"], back.Notes);
        Assert.Equal("***", back.Extra["token"]);
        // Same shape as plain serialisation when there is nothing to mask.
        var plain = row with { Error = null, Notes = [], Extra = [] };
        Assert.Equal(JsonSerializer.Serialize(plain, options), MaskedJson.Serialize(plain, options, masker));
    }
}
