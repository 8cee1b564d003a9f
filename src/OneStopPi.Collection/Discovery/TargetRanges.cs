using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>A range text that cannot be scanned: not a range, reversed, or wider than allowed.</summary>
public sealed class TargetRangeException : FormatException
{
    public TargetRangeException(string range, string reason)
        : base($"'{range}': {reason}")
    {
        Range = range;
    }

    public TargetRangeException() { }

    public TargetRangeException(string message) : base(message) { }

    public TargetRangeException(string message, Exception innerException) : base(message, innerException) { }

    public string? Range { get; }
}

/// <summary>
/// One range of addresses: an IPv4 CIDR block (network and broadcast addresses left out when wider
/// than /31), an IPv4 start-end span (<c>10.0.0.10-10.0.3.250</c> or <c>10.0.0.10-250</c>) or a
/// single IPv4 or IPv6 host. IPv6 blocks are refused: they cannot be swept.
/// </summary>
public sealed record TargetRange(IPAddress First, IPAddress Last, string Text)
{
    /// <summary>Addresses in the range.</summary>
    public long Count => First.AddressFamily == AddressFamily.InterNetworkV6 ? 1 : (long)ToUInt32(Last) - ToUInt32(First) + 1;

    /// <summary>Parses one range; <paramref name="maxAddresses"/> refuses anything wider (a /16 by default).</summary>
    /// <exception cref="TargetRangeException">Not a range, or too wide.</exception>
    public static TargetRange Parse(string text, long maxAddresses = TargetRangeSet.DefaultMaxAddresses)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        TargetRange range = ParseCore(trimmed);
        if (range.Count > maxAddresses)
        {
            throw new TargetRangeException(trimmed, string.Create(CultureInfo.InvariantCulture,
                $"{range.Count} addresses is wider than the {maxAddresses} allowed (a /16 is 65,536); split it, or allow wider ranges explicitly"));
        }

        return range;
    }

    private static TargetRange ParseCore(string text)
    {
        if (text.Length == 0)
        {
            throw new TargetRangeException(text, "empty range");
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!IPNetwork.TryParse(text, out IPNetwork network) || (IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? given) && !given.Equals(network.BaseAddress)))
            {
                // IPNetwork refuses host bits; say so rather than "not a range".
                if (IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? address)
                    && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix)
                    && address.AddressFamily == AddressFamily.InterNetwork && prefix is >= 0 and <= 32)
                {
                    throw new TargetRangeException(text, $"host bits set; the block is {new IPNetwork(Mask(address, prefix), prefix)}");
                }

                throw new TargetRangeException(text, "not a CIDR block (e.g. 192.168.1.0/24)");
            }

            if (network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                if (network.PrefixLength == 128)
                {
                    return new TargetRange(network.BaseAddress, network.BaseAddress, text);
                }

                throw new TargetRangeException(text, "IPv6 blocks cannot be swept; give IPv6 hosts one by one");
            }

            uint first = ToUInt32(network.BaseAddress);
            ulong size = 1UL << (32 - network.PrefixLength);
            uint last = (uint)(first + size - 1);
            if (size > 2)
            {
                first++;
                last--;
            }

            return new TargetRange(FromUInt32(first), FromUInt32(last), text);
        }

        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            if (!IPAddress.TryParse(text.AsSpan(0, dash), out IPAddress? from) || from.AddressFamily != AddressFamily.InterNetwork || !IsDotted(text.AsSpan(0, dash)))
            {
                throw new TargetRangeException(text, "not a range START-END of IPv4 addresses (e.g. 10.0.0.10-10.0.3.250)");
            }

            ReadOnlySpan<char> end = text.AsSpan(dash + 1);
            IPAddress to;
            if (byte.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out byte lastOctet))
            {
                byte[] bytes = from.GetAddressBytes();
                bytes[3] = lastOctet;
                to = new IPAddress(bytes);
            }
            else if (!IPAddress.TryParse(end, out to!) || to.AddressFamily != AddressFamily.InterNetwork || !IsDotted(end))
            {
                throw new TargetRangeException(text, "not a range START-END of IPv4 addresses (e.g. 10.0.0.10-10.0.3.250)");
            }

            if (ToUInt32(to) < ToUInt32(from))
            {
                throw new TargetRangeException(text, "the range ends before it starts");
            }

            return new TargetRange(from, to, text);
        }

        if (IPAddress.TryParse(text, out IPAddress? single) && (single.AddressFamily == AddressFamily.InterNetworkV6 || IsDotted(text)))
        {
            IPAddress host = single.IsIPv4MappedToIPv6 ? single.MapToIPv4() : single;
            return new TargetRange(host, host, text);
        }

        throw new TargetRangeException(text, "not an address, a CIDR block or a START-END range");
    }

    /// <summary>Only a.b.c.d: <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> also takes "10" or "10.1".</summary>
    private static bool IsDotted(ReadOnlySpan<char> text) => text.Count('.') == 3;

    internal static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out int written) && written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : throw new ArgumentException($"{address} is not IPv4.", nameof(address));
    }

    internal static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static IPAddress Mask(IPAddress address, int prefix) =>
        FromUInt32(prefix == 0 ? 0 : ToUInt32(address) & (uint.MaxValue << (32 - prefix)));

    public override string ToString() => Text;
}

/// <summary>
/// The addresses to sweep: included ranges minus excluded ones, each address once, in ascending
/// order (IPv4 first, then IPv6 hosts as given).
/// </summary>
public sealed class TargetRangeSet
{
    /// <summary>A /16: wider than this is refused unless explicitly allowed.</summary>
    public const long DefaultMaxAddresses = 65536;

    /// <summary>The most a sweep takes even when wide ranges are allowed (a /8).</summary>
    public const long AbsoluteMaxAddresses = 1L << 24;

    private readonly List<(uint First, uint Last)> _v4;
    private readonly List<IPAddress> _v6;

    private TargetRangeSet(List<(uint First, uint Last)> v4, List<IPAddress> v6, IReadOnlyList<TargetRange> included, IReadOnlyList<TargetRange> excluded)
    {
        _v4 = v4;
        _v6 = v6;
        Included = included;
        Excluded = excluded;
        Count = v4.Sum(r => (long)r.Last - r.First + 1) + v6.Count;
    }

    public IReadOnlyList<TargetRange> Included { get; }

    public IReadOnlyList<TargetRange> Excluded { get; }

    /// <summary>Addresses left to sweep after exclusions.</summary>
    public long Count { get; }

    /// <summary>Parses ranges and exclusions. Without <paramref name="allowWide"/>, any range or total above a /16 is refused.</summary>
    /// <exception cref="TargetRangeException">A range is invalid or too wide, or nothing is left to scan.</exception>
    public static TargetRangeSet Parse(IEnumerable<string> include, IEnumerable<string>? exclude = null, bool allowWide = false)
    {
        ArgumentNullException.ThrowIfNull(include);
        long max = allowWide ? AbsoluteMaxAddresses : DefaultMaxAddresses;
        List<TargetRange> included = [.. include.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => TargetRange.Parse(t, max))];
        List<TargetRange> excluded = [.. (exclude ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => TargetRange.Parse(t, AbsoluteMaxAddresses))];
        if (included.Count == 0)
        {
            throw new TargetRangeException("no ranges to scan");
        }

        List<(uint First, uint Last)> v4 = Merge(included.Where(IsV4).Select(r => (TargetRange.ToUInt32(r.First), TargetRange.ToUInt32(r.Last))));
        foreach (TargetRange cut in excluded.Where(IsV4))
        {
            v4 = Subtract(v4, TargetRange.ToUInt32(cut.First), TargetRange.ToUInt32(cut.Last));
        }

        var excludedV6 = excluded.Where(r => !IsV4(r)).Select(r => r.First).ToHashSet();
        List<IPAddress> v6 = [.. included.Where(r => !IsV4(r)).Select(r => r.First).Distinct().Where(a => !excludedV6.Contains(a))];
        var set = new TargetRangeSet(v4, v6, included, excluded);
        if (set.Count > max)
        {
            throw new TargetRangeException(string.Create(CultureInfo.InvariantCulture,
                $"{set.Count} addresses in all is more than the {max} allowed; split the scan, or allow wider ranges explicitly"));
        }

        return set;
    }

    /// <summary>Every address to sweep, in ascending order.</summary>
    public IEnumerable<IPAddress> Addresses()
    {
        foreach ((uint first, uint last) in _v4)
        {
            for (ulong a = first; a <= last; a++)
            {
                yield return TargetRange.FromUInt32((uint)a);
            }
        }

        foreach (IPAddress address in _v6)
        {
            yield return address;
        }
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return _v6.Contains(address);
        }

        uint value = TargetRange.ToUInt32(address);
        return _v4.Any(r => value >= r.First && value <= r.Last);
    }

    private static bool IsV4(TargetRange range) => range.First.AddressFamily == AddressFamily.InterNetwork;

    private static List<(uint First, uint Last)> Merge(IEnumerable<(uint First, uint Last)> ranges)
    {
        var merged = new List<(uint First, uint Last)>();
        foreach ((uint first, uint last) in ranges.OrderBy(r => r.First))
        {
            if (merged.Count > 0 && (ulong)first <= (ulong)merged[^1].Last + 1)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, last));
            }
            else
            {
                merged.Add((first, last));
            }
        }

        return merged;
    }

    private static List<(uint First, uint Last)> Subtract(List<(uint First, uint Last)> ranges, uint cutFirst, uint cutLast)
    {
        var result = new List<(uint First, uint Last)>(ranges.Count + 1);
        foreach ((uint first, uint last) in ranges)
        {
            if (cutLast < first || cutFirst > last)
            {
                result.Add((first, last));
                continue;
            }

            if (cutFirst > first)
            {
                result.Add((first, cutFirst - 1));
            }

            if (cutLast < last)
            {
                result.Add((cutLast + 1, last));
            }
        }

        return result;
    }
}
