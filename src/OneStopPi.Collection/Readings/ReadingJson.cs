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

    /// <summary>
    /// The same array as <see cref="Serialize(IReadOnlyList{DeviceReading})"/>, written as the readings come:
    /// each one is on its way to <paramref name="stream"/> before the next is taken, so none is held. One reading
    /// at a time through a writer, not JsonSerializer.SerializeAsync: that one brings an async serializer for
    /// every type of every JSON context into the AOT image (docs/benchmarks.md, "Fifth pass").
    /// </summary>
    public static async Task WriteAsync(Stream stream, IAsyncEnumerable<DeviceReading> readings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(readings);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Context.Options.Encoder });
        writer.WriteStartArray();
        await foreach (DeviceReading reading in readings.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            JsonSerializer.Serialize(writer, reading, Context.DeviceReading);
            if (writer.BytesPending > 16 * 1024)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static string Serialize(IReadOnlyList<DeviceReading> readings) => JsonSerializer.Serialize([.. readings], Context.DeviceReadingArray);

    public static string Serialize(DeviceReading reading) => JsonSerializer.Serialize(reading, Context.DeviceReading);

    public static DeviceReading[] Deserialize(string json) => JsonSerializer.Deserialize(json, Context.DeviceReadingArray) ?? [];
}
