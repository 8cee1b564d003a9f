using System.Text.Encodings.Web;
using System.Text.Json;

namespace OneStopPi.Collection.Readings;

/// <summary>Writes readings as the documented JSON (docs/scan-json.md): camelCase, indented, non-ASCII text unescaped.</summary>
public static class ReadingJson
{
    private static readonly ReadingJsonContext Context = new(new JsonSerializerOptions(ReadingJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static Task WriteAsync(Stream stream, IReadOnlyList<DeviceReading> readings, CancellationToken cancellationToken = default) =>
        JsonSerializer.SerializeAsync(stream, [.. readings], Context.DeviceReadingArray, cancellationToken);

    public static string Serialize(IReadOnlyList<DeviceReading> readings) => JsonSerializer.Serialize([.. readings], Context.DeviceReadingArray);

    public static string Serialize(DeviceReading reading) => JsonSerializer.Serialize(reading, Context.DeviceReading);

    public static DeviceReading[] Deserialize(string json) => JsonSerializer.Deserialize(json, Context.DeviceReadingArray) ?? [];
}
