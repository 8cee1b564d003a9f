using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace OneStopPi.Snmp;

/// <summary>
/// An SNMP object identifier: an immutable sequence of unsigned 32-bit arcs (RFC 2578 3.5 limits
/// SNMP OIDs to 128 arcs of at most 2^32-1). Ordered arc by arc, which is the lexicographic order
/// GETNEXT and walks rely on (RFC 3416 4.2.2).
/// </summary>
public readonly struct ObjectIdentifier : IEquatable<ObjectIdentifier>, IComparable<ObjectIdentifier>, ISpanFormattable
{
    /// <summary>RFC 2578 3.5: at most 128 sub-identifiers.</summary>
    public const int MaxArcs = 128;

    private readonly uint[]? _arcs;

    private ObjectIdentifier(uint[] arcs) => _arcs = arcs;

    /// <summary>Creates an OID from its arcs (copied).</summary>
    public ObjectIdentifier(ReadOnlySpan<uint> arcs)
    {
        if (arcs.Length > MaxArcs)
        {
            throw new ArgumentException($"An OID has at most {MaxArcs} arcs.", nameof(arcs));
        }

        _arcs = arcs.ToArray();
    }

    /// <summary>Takes ownership of an array built by the decoder; no copy.</summary>
    internal static ObjectIdentifier FromOwnedArray(uint[] arcs) => new(arcs);

    public ReadOnlySpan<uint> Arcs => _arcs;

    public int Length => _arcs?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    public uint this[int index] => Arcs[index];

    /// <summary>True when <paramref name="prefix"/> is this OID or one of its ancestors.</summary>
    public bool StartsWith(ObjectIdentifier prefix) => Arcs.StartsWith(prefix.Arcs);

    /// <summary>True when this OID lies strictly below <paramref name="root"/> in the tree.</summary>
    public bool IsDescendantOf(ObjectIdentifier root) => Length > root.Length && StartsWith(root);

    /// <summary>Returns this OID with more arcs appended (e.g. a table column plus an index).</summary>
    public ObjectIdentifier Append(params ReadOnlySpan<uint> arcs)
    {
        var result = new uint[Length + arcs.Length];
        Arcs.CopyTo(result);
        arcs.CopyTo(result.AsSpan(Length));
        return new ObjectIdentifier(result);
    }

    /// <summary>The arcs after <paramref name="prefix"/>: a table row's index.</summary>
    public ReadOnlySpan<uint> SuffixAfter(ObjectIdentifier prefix) =>
        StartsWith(prefix) ? Arcs[prefix.Length..] : throw new ArgumentException($"{prefix} is not a prefix of {this}.", nameof(prefix));

    public static ObjectIdentifier Parse(string text) => Parse(text.AsSpan());

    public static ObjectIdentifier Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var oid) ? oid : throw new FormatException($"'{text}' is not a numeric OID (e.g. 1.3.6.1.2.1.1.1.0).");

    /// <summary>Parses dotted decimal, with or without a leading dot (net-snmp prints one).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ObjectIdentifier oid) => TryParse(text.AsSpan(), out oid);

    public static bool TryParse(ReadOnlySpan<char> text, out ObjectIdentifier oid)
    {
        oid = default;
        text = text.Trim();
        if (text.StartsWith('.'))
        {
            text = text[1..];
        }

        if (text.IsEmpty)
        {
            return false;
        }

        Span<uint> buffer = stackalloc uint[MaxArcs];
        int count = 0;
        foreach (Range part in text.Split('.'))
        {
            ReadOnlySpan<char> arc = text[part];
            if (count == MaxArcs || arc.IsEmpty || !uint.TryParse(arc, NumberStyles.None, CultureInfo.InvariantCulture, out buffer[count]))
            {
                return false;
            }

            count++;
        }

        oid = new ObjectIdentifier(buffer[..count].ToArray());
        return true;
    }

    public static implicit operator ObjectIdentifier(string text) => Parse(text);

    public int CompareTo(ObjectIdentifier other) => Arcs.SequenceCompareTo(other.Arcs);

    public bool Equals(ObjectIdentifier other) => Arcs.SequenceEqual(other.Arcs);

    public override bool Equals(object? obj) => obj is ObjectIdentifier other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(MemoryMarshal.AsBytes(Arcs));
        return hash.ToHashCode();
    }

    public static bool operator ==(ObjectIdentifier left, ObjectIdentifier right) => left.Equals(right);
    public static bool operator !=(ObjectIdentifier left, ObjectIdentifier right) => !left.Equals(right);
    public static bool operator <(ObjectIdentifier left, ObjectIdentifier right) => left.CompareTo(right) < 0;
    public static bool operator >(ObjectIdentifier left, ObjectIdentifier right) => left.CompareTo(right) > 0;
    public static bool operator <=(ObjectIdentifier left, ObjectIdentifier right) => left.CompareTo(right) <= 0;
    public static bool operator >=(ObjectIdentifier left, ObjectIdentifier right) => left.CompareTo(right) >= 0;

    /// <summary>Dotted decimal without a leading dot, as snmprec writes it.</summary>
    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        // 11 chars per arc covers "4294967295."
        Span<char> buffer = Length <= 32 ? stackalloc char[Length * 11 + 1] : new char[Length * 11 + 1];
        TryFormat(buffer, out int written, format, formatProvider);
        return new string(buffer[..written]);
    }

    /// <summary>Format "N" (net-snmp -On style) writes a leading dot; the default does not.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        charsWritten = 0;
        bool leadingDot = format.SequenceEqual("N");
        ReadOnlySpan<uint> arcs = Arcs;
        for (int i = 0; i < arcs.Length; i++)
        {
            if (i > 0 || leadingDot)
            {
                if (charsWritten == destination.Length)
                {
                    return false;
                }

                destination[charsWritten++] = '.';
            }

            if (!arcs[i].TryFormat(destination[charsWritten..], out int n, default, CultureInfo.InvariantCulture))
            {
                return false;
            }

            charsWritten += n;
        }

        return true;
    }
}
