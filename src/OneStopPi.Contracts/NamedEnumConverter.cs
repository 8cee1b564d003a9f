using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Contracts;

/// <summary>
/// An int-based enum as its name (through <paramref name="namingPolicy"/>), or as its number when the value has
/// no name; reads a name case-insensitively, a number, or a number in a string. What JsonStringEnumConverter
/// writes and reads for a non-flags enum, but small in a Native AOT image: System.Text.Json's own converter
/// is compiled once per enum (about 19 KiB each, docs/benchmarks.md "Third pass"), this one's generic part is
/// two casts and the rest is <see cref="EnumNameTable"/>, shared by every enum.
/// </summary>
public abstract class NamedEnumConverter<TEnum>(JsonNamingPolicy? namingPolicy) : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private readonly EnumNameTable _names = new(typeof(TEnum), namingPolicy);

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        int value = _names.Read(ref reader);
        return Unsafe.As<int, TEnum>(ref value);
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _names.Write(writer, Unsafe.As<TEnum, int>(ref value));
    }
}

/// <summary>Names as declared ("SavedPrevious").</summary>
public sealed class DeclaredNameEnumConverter<TEnum>() : NamedEnumConverter<TEnum>(null)
    where TEnum : struct, Enum;

/// <summary>The names and values of one int-based enum, and their JSON forms.</summary>
internal sealed class EnumNameTable
{
    private readonly Type _type;
    private readonly int[] _values;
    private readonly string[] _names;
    private readonly JsonEncodedText[] _encoded;

    public EnumNameTable(Type type, JsonNamingPolicy? namingPolicy)
    {
        if (Enum.GetUnderlyingType(type) != typeof(int))
        {
            throw new NotSupportedException($"{type.Name}: only int-based enums are written by name");
        }

        _type = type;
        string[] declared = Enum.GetNames(type);
        Array values = Enum.GetValuesAsUnderlyingType(type);
        _values = new int[declared.Length];
        _names = new string[declared.Length];
        _encoded = new JsonEncodedText[declared.Length];
        for (int i = 0; i < declared.Length; i++)
        {
            _values[i] = (int)values.GetValue(i)!;
            _names[i] = namingPolicy?.ConvertName(declared[i]) ?? declared[i];
            _encoded[i] = JsonEncodedText.Encode(_names[i]);
        }
    }

    public void Write(Utf8JsonWriter writer, int value)
    {
        int at = Array.IndexOf(_values, value);
        if (at >= 0)
        {
            writer.WriteStringValue(_encoded[at]);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    public int Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt32(out int number):
                return number;
            case JsonTokenType.String:
                string text = reader.GetString()!;
                for (int i = 0; i < _names.Length; i++)
                {
                    if (string.Equals(_names[i], text, StringComparison.OrdinalIgnoreCase))
                    {
                        return _values[i];
                    }
                }

                if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int numeric))
                {
                    return numeric;
                }

                throw new JsonException($"\"{text}\" is not a {_type.Name}");
            default:
                throw new JsonException($"a {_type.Name} must be a name or a number, not {reader.TokenType}");
        }
    }
}
