using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using MeshHook.Build.Engine.Parameters;
using MeshHook.Build.Engine.Planning;

namespace MeshHook.Build.Engine.Tests;

/// <summary>A build's own value type, as NUKE's Enumeration classes are: open-ended names with a few well-known ones.</summary>
[TypeConverter(typeof(RegionConverter))]
public readonly record struct Region(string Code)
{
    public static Region Europe { get; } = new("eu");
}

public sealed class RegionConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && text.Length is > 0 and <= 8 && text.All(char.IsAsciiLetterLower)
            ? new Region(text)
            : throw new FormatException($"'{value}' is not a region: 1-8 lower-case letters.");

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        value is Region region && destinationType == typeof(string) ? region.Code : base.ConvertTo(context, culture, value, destinationType);

    public override bool GetStandardValuesSupported(ITypeDescriptorContext? context) => true;

    public override StandardValuesCollection GetStandardValues(ITypeDescriptorContext? context) => new(new[] { new Region("eu"), new Region("us") });
}

/// <summary>Only its standard values are allowed.</summary>
[TypeConverter(typeof(TierConverter))]
public sealed record Tier(string Name);

public sealed class TierConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is "free" or "paid" ? new Tier((string)value) : throw new ArgumentException($"'{value}' is not a tier: free or paid.");

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        value is Tier tier && destinationType == typeof(string) ? tier.Name : base.ConvertTo(context, culture, value, destinationType);

    public override bool GetStandardValuesSupported(ITypeDescriptorContext? context) => true;

    public override bool GetStandardValuesExclusive(ITypeDescriptorContext? context) => true;

    public override StandardValuesCollection GetStandardValues(ITypeDescriptorContext? context) => new(new[] { new Tier("free"), new Tier("paid") });
}

public sealed class ConvertedParameterTests : IDisposable
{
    readonly BuildHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    class Converted : NukeBuild
    {
        [Parameter("Where to run")] public readonly Region Region = Region.Europe;
        [Parameter("Regions to copy to")] public readonly Region[] Mirrors = [];
        [Parameter("Plan")] public readonly Tier? Tier;
        [Parameter("Region token"), Secret] public readonly Region? Hidden;

        Target Show => _ => _.Executes(() => { });
    }

    [Fact]
    public void A_type_with_a_TypeConverter_is_converted_through_it_from_the_command_line_the_environment_and_the_parameter_file()
    {
        Assert.Equal(Region.Europe, _harness.Run<Converted>("Show").Build!.Region);
        var build = _harness.Run<Converted>("Show", "--region", "apac", "--mirrors", "us", "sa", "--tier", "paid").Build!;
        Assert.Equal(new Region("apac"), build.Region);
        Assert.Equal([new Region("us"), new Region("sa")], build.Mirrors);
        Assert.Equal(new Tier("paid"), build.Tier);

        _harness.Environment["REGION"] = "af";
        Assert.Equal(new Region("af"), _harness.Run<Converted>("Show").Build!.Region);
        _harness.Environment.Remove("REGION");

        _harness.WriteFile(".nuke/parameters.json", """{ "Region": "me" }""");
        Assert.Equal(new Region("me"), _harness.Run<Converted>("Show").Build!.Region);
    }

    [Fact]
    public void A_value_the_converter_refuses_is_an_error_naming_the_parameter_the_value_and_the_converters_reason()
    {
        var result = _harness.Run<Converted>("Show", "--region", "../EU");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Invalid value '../EU' for parameter 'Region' (command line --region): '../EU' is not a region: 1-8 lower-case letters.", result.Output);

        _harness.Environment["TIER"] = "gold";
        var tier = _harness.Run<Converted>("Show");
        Assert.Equal(BuildRunner.InvalidInvocation, tier.ExitCode);
        Assert.Contains("Invalid value 'gold' for parameter 'Tier'", tier.Output);
        Assert.Contains("'gold' is not a tier: free or paid.", tier.Output);
    }

    [Fact]
    public void A_refused_secret_value_is_not_repeated()
    {
        var result = _harness.Run<Converted>("Show", "--hidden", "Sup3r-Secret");

        Assert.Equal(BuildRunner.InvalidInvocation, result.ExitCode);
        Assert.Contains("Invalid value '***' for parameter 'Hidden'", result.Output);
        Assert.DoesNotContain("Sup3r-Secret", result.Output);
    }

    [Fact]
    public void Help_and_schema_offer_the_standard_values_as_examples_or_as_the_only_ones()
    {
        var parameters = ParameterDescriptor.FromBuildType(typeof(Converted));
        Assert.Equal("eu|us|...", ParameterConverter.Describe(parameters.Single(x => x.Name == "Region")));
        Assert.Equal("free|paid", ParameterConverter.Describe(parameters.Single(x => x.Name == "Tier")));

        var build = new Converted();
        BuildContextScope.Run(_harness, () =>
        {
            using var schema = JsonDocument.Parse(BuildSchema.Generate(TargetGraph.Create(build).Targets, parameters));
            var definitions = schema.RootElement.GetProperty("definitions");
            Assert.Equal("""{"type":"string","examples":["eu","us"]}""", definitions.GetProperty("Region").GetRawText().Replace(" ", "").Replace("\n", ""));
            Assert.Equal("""{"type":"string","enum":["free","paid"]}""", definitions.GetProperty("Tier").GetRawText().Replace(" ", "").Replace("\n", ""));
            var properties = schema.RootElement.GetProperty("properties");
            Assert.Equal("#/definitions/Region", properties.GetProperty("Region").GetProperty("$ref").GetString());
            Assert.Equal("#/definitions/Region", properties.GetProperty("Mirrors").GetProperty("items").GetProperty("$ref").GetString());
        });
    }
}
