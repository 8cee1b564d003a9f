using System.Text.Json.Serialization;

namespace OneStopPi.Collection.Readings;

/// <summary>Source-generated JSON for readings (camelCase, AOT-safe). docs/scan-json.md describes the shape.</summary>
// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DeviceReading))]
[JsonSerializable(typeof(IReadOnlyList<DeviceReading>))]
[JsonSerializable(typeof(DeviceReading[]))]
public sealed partial class ReadingJsonContext : JsonSerializerContext;
