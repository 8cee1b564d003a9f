using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OneStopPi.Contracts.Tests;

/// <summary>A message and its type's generated metadata, so a test can serialize it and read it back without knowing its type.</summary>
public interface IWireSample
{
    byte[] Serialize();

    /// <summary>Reads <paramref name="utf8"/> as the message's type and writes it again.</summary>
    byte[] RoundTrip(byte[] utf8);
}

internal sealed class WireSample<T>(T value, JsonTypeInfo<T> typeInfo) : IWireSample
{
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    public byte[] RoundTrip(byte[] utf8) =>
        JsonSerializer.SerializeToUtf8Bytes(JsonSerializer.Deserialize(utf8, typeInfo) ?? throw new JsonException("null message"), typeInfo);
}
