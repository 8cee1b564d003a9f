using System.Globalization;
using System.Text;

namespace OneStopPi.Collection.Decoding;

/// <summary>
/// Turns the OCTET STRINGs printers send as text into readable strings: cut at the first NUL,
/// UTF-8 when valid, else the device's declared charset, else Latin-1; control characters become
/// spaces, runs of white space collapse, and a net-snmp hex dump baked into the value (seen on HP
/// supply descriptions: <c>"Black Cartridge \n38 32 37 41 20 ... 00 "</c>) is decoded back to text.
/// </summary>
internal static class TextDecoder
{
    /// <summary>Longest text kept; longer values (hostile or broken agents) are cut.</summary>
    public const int MaxLength = 512;

    public static string? Clean(ReadOnlySpan<byte> bytes, Encoding? charset = null)
    {
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            bytes = bytes[..nul];
        }

        if (bytes.Length > MaxLength * 4)
        {
            bytes = bytes[..(MaxLength * 4)];
        }

        string text = System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes)
            : charset is not null ? charset.GetString(bytes)
            : Encoding.Latin1.GetString(bytes);
        text = UnbakeHexDump(text);
        return Normalise(text);
    }

    /// <summary>Control characters to spaces, white space collapsed, trimmed, bounded; null when nothing is left.</summary>
    public static string? Normalise(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxLength));
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c == '\uFFFD')
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            if (builder.Length >= MaxLength)
            {
                break;
            }

            builder.Append(c);
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>
    /// "Text \n38 32 37 41 20 48 50 00 " → "Text 827A HP": when the value ends with a line break followed
    /// only by space-separated hex pairs that decode to printable text, the hex is decoded and appended
    /// to the text before the line break. If the decoded text repeats that text, it alone is kept.
    /// </summary>
    internal static string UnbakeHexDump(string text)
    {
        int newline = text.IndexOfAny(['\n', '\r']);
        if (newline < 0)
        {
            return text;
        }

        ReadOnlySpan<char> tail = text.AsSpan(newline).Trim();
        if (tail.Length < 5)
        {
            return text;
        }

        var decoded = new List<byte>(tail.Length / 3 + 1);
        foreach (Range range in tail.SplitAny(" \r\n\t"))
        {
            ReadOnlySpan<char> pair = tail[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            if (pair.Length != 2 || !byte.TryParse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte value))
            {
                return text;
            }

            decoded.Add(value);
        }

        while (decoded.Count > 0 && decoded[^1] == 0)
        {
            decoded.RemoveAt(decoded.Count - 1);
        }

        if (decoded.Count < 2 || decoded.Exists(b => b < 0x20 && b is not (byte)'\t'))
        {
            return text;
        }

        string hex = Encoding.Latin1.GetString([.. decoded]);
        if (System.Text.Unicode.Utf8.IsValid(decoded.ToArray()))
        {
            hex = Encoding.UTF8.GetString([.. decoded]);
        }

        // The readable part and the dumped rest are one string: "...MF" + "P M130nw" (no separator added).
        string prefix = text[..newline];
        string trimmed = prefix.Trim();
        return trimmed.Length > 0 && hex.StartsWith(trimmed, StringComparison.OrdinalIgnoreCase) ? hex : prefix + hex;
    }

    /// <summary>The encoding for an IANA charset MIBenum (prtLocalizationCharacterSet); null for unknown ones.</summary>
    public static Encoding? ForIanaCharset(long mibEnum)
    {
        // The legacy charsets by their iconv names (glibc's gconv modules; IconvEncoding says why not .NET's tables).
        string? iconvName = mibEnum switch
        {
            5 => "ISO-8859-2",  // latin2
            6 => "ISO-8859-3",
            7 => "ISO-8859-4",
            8 => "ISO-8859-5",  // cyrillic
            9 => "ISO-8859-6",
            10 => "ISO-8859-7",
            11 => "ISO-8859-8",
            12 => "ISO-8859-9", // latin5
            17 => "CP932",      // Shift_JIS as Japanese printers send it (Windows-31J, like .NET's code page 932)
            18 => "EUC-JP",
            38 => "EUC-KR",
            109 => "ISO-8859-13",
            111 => "ISO-8859-15",
            113 => "GBK",
            2025 => "GBK",      // GB2312 (GBK is its superset, like .NET's code page 936)
            2026 => "BIG5",
            2084 => "KOI8-R",
            2250 => "CP1250",
            2251 => "CP1251",
            2252 => "CP1252",
            _ => null,
        };
        return mibEnum switch
        {
            3 => Encoding.ASCII,
            4 => Encoding.Latin1,
            106 => Encoding.UTF8,
            2004 => Roman8Encoding.Instance,
            _ when iconvName is not null => IconvEncoding.TryCreate(iconvName),
            _ => null,
        };
    }
}
