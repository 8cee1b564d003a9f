using System.Globalization;
using System.Text;

namespace OneStopPi.Collection.Decoding;

/// <summary>ifPhysAddress values as aa:bb:cc:dd:ee:ff; rejects empty, all-zero, broadcast and malformed addresses.</summary>
internal static class MacAddress
{
    public static string? Format(ReadOnlySpan<byte> bytes)
    {
        Span<byte> mac = stackalloc byte[6];
        if (bytes.Length == 6)
        {
            bytes.CopyTo(mac);
        }
        else if (!TryParseText(bytes, mac))
        {
            return null;
        }

        if (mac.IndexOfAnyExcept((byte)0) < 0 || mac.IndexOfAnyExcept((byte)0xFF) < 0)
        {
            return null;
        }

        var builder = new StringBuilder(17);
        for (int i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                builder.Append(':');
            }

            builder.Append(mac[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>Some agents send the address as text: "00:1B:A9:0B:A7:52", "00-1b-...", "001BA90BA752".</summary>
    private static bool TryParseText(ReadOnlySpan<byte> bytes, Span<byte> mac)
    {
        if (bytes.Length is not (12 or 17))
        {
            return false;
        }

        int stride = bytes.Length == 12 ? 2 : 3;
        for (int i = 0; i < 6; i++)
        {
            int at = i * stride;
            if (stride == 3 && i < 5 && bytes[at + 2] is not ((byte)':' or (byte)'-' or (byte)' '))
            {
                return false;
            }

            Span<char> pair = [(char)bytes[at], (char)bytes[at + 1]];
            if (!byte.TryParse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mac[i]))
            {
                return false;
            }
        }

        return true;
    }
}
