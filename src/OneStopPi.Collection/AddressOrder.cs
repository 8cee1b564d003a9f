using System.Net;

namespace OneStopPi.Collection;

/// <summary>
/// The one order devices are listed and written in: IPv4 before IPv6, then by address bytes (10.0.0.9 before
/// 10.0.0.10, which text order gets wrong). Text that is not an address sorts after, ordinally.
/// </summary>
public sealed class AddressOrder : IComparer<IPAddress>, IComparer<string>
{
    public static readonly AddressOrder Instance = new();

    private AddressOrder()
    {
    }

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int family = x.AddressFamily.CompareTo(y.AddressFamily);
        if (family != 0)
        {
            return family;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, out int lengthA);
        y.TryWriteBytes(b, out int lengthB);
        return a[..lengthA].SequenceCompareTo(b[..lengthB]);
    }

    public int Compare(string? x, string? y)
    {
        bool isA = IPAddress.TryParse(x, out IPAddress? a);
        bool isB = IPAddress.TryParse(y, out IPAddress? b);
        return (isA, isB) switch
        {
            (true, true) => Compare(a, b),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(x, y),
        };
    }
}
