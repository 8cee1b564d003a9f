using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Contracts.Tests;

/// <summary>NamedEnumConverter must write and read what System.Text.Json's JsonStringEnumConverter does (it replaced it for size).</summary>
public sealed class NamedEnumConverterTests
{
    public enum Sample
    {
        Other = 1,
        WasteToner = 4,
        HostResourcesMIBStorageTable = 12,
        MaintenanceKit = 1000,
        Negative = -3,
    }

    private sealed class CamelSample() : NamedEnumConverter<Sample>(JsonNamingPolicy.CamelCase);

    private static readonly JsonSerializerOptions Ours = new() { Converters = { new CamelSample() } };
    private static readonly JsonSerializerOptions Theirs = new() { Converters = { new JsonStringEnumConverter<Sample>(JsonNamingPolicy.CamelCase, allowIntegerValues: true) } };
    private static readonly JsonSerializerOptions OursDeclared = new() { Converters = { new DeclaredNameEnumConverter<Sample>() } };
    private static readonly JsonSerializerOptions TheirsDeclared = new() { Converters = { new JsonStringEnumConverter<Sample>() } };

    [TestCase(Sample.Other)]
    [TestCase(Sample.WasteToner)]
    [TestCase(Sample.HostResourcesMIBStorageTable)]
    [TestCase(Sample.MaintenanceKit)]
    [TestCase(Sample.Negative)]
    [TestCase((Sample)2)]
    [TestCase((Sample)(-1))]
    public void Writes_what_JsonStringEnumConverter_writes(Sample value)
    {
        Assert.That(JsonSerializer.Serialize(value, Ours), Is.EqualTo(JsonSerializer.Serialize(value, Theirs)));
        Assert.That(JsonSerializer.Serialize(value, OursDeclared), Is.EqualTo(JsonSerializer.Serialize(value, TheirsDeclared)));
        Assert.That(JsonSerializer.Serialize(new[] { (Sample?)value, null }, Ours), Is.EqualTo(JsonSerializer.Serialize(new[] { (Sample?)value, null }, Theirs)));
    }

    [TestCase("\"wasteToner\"", Sample.WasteToner)]
    [TestCase("\"WasteToner\"", Sample.WasteToner)]
    [TestCase("\"WASTETONER\"", Sample.WasteToner)]
    [TestCase("\"hostResourcesMIBStorageTable\"", Sample.HostResourcesMIBStorageTable)]
    [TestCase("4", Sample.WasteToner)]
    [TestCase("2", (Sample)2)]
    [TestCase("-3", Sample.Negative)]
    [TestCase("\"1000\"", Sample.MaintenanceKit)]
    public void Reads_what_JsonStringEnumConverter_reads(string json, Sample expected)
    {
        Assert.That(JsonSerializer.Deserialize<Sample>(json, Theirs), Is.EqualTo(expected), "the reference converter");
        Assert.That(JsonSerializer.Deserialize<Sample>(json, Ours), Is.EqualTo(expected));
    }

    [TestCase("\"waste toner\"")]
    [TestCase("\"\"")]
    [TestCase("4.5")]
    [TestCase("true")]
    [TestCase("{}")]
    [TestCase("99999999999")]
    public void Refuses_what_JsonStringEnumConverter_refuses(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sample>(json, Theirs), "the reference converter");
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sample>(json, Ours));
    }
}
