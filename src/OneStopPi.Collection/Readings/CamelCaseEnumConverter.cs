using System.Text.Json;
using OneStopPi.Contracts;

namespace OneStopPi.Collection.Readings;

/// <summary>Writes enum values as camelCase names ("running", "wasteToner"); values without a name stay numbers.</summary>
public sealed class CamelCaseEnumConverter<TEnum>() : NamedEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;
