using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Collection.Readings;

/// <summary>Writes enum values as camelCase names ("running", "wasteToner"); values without a name stay numbers.</summary>
public sealed class CamelCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public CamelCaseEnumConverter() : base(JsonNamingPolicy.CamelCase, allowIntegerValues: true) { }
}
