using System.Text.RegularExpressions;

namespace OneStopPi.Collection.Decoding;

/// <summary>Serial and model clean-up, and IEEE 1284 device-ID fields.</summary>
internal static partial class IdentityText
{
    private static readonly string[] Placeholders =
    [
        "unknown", "none", "n/a", "na", "null", "not available", "not set", "serial", "serial number", "serialnumber",
        "sn", "s/n", "default", "0123456789", "1234567890", "123456789", "to be filled by o.e.m.",
    ];

    /// <summary>A serial worth reporting, or null for empty, placeholder and filler values (all X, all 0, ...).</summary>
    public static string? Serial(string? text)
    {
        text = TextDecoder.Normalise(text);
        if (text is null)
        {
            return null;
        }

        text = SerialPrefix().Replace(text, "").Trim();
        if (text.Length < 3 || text.Length > 64)
        {
            return null;
        }

        char first = char.ToUpperInvariant(text[0]);
        if (text.All(c => char.ToUpperInvariant(c) == first) && "X0*-?.F9 #_".Contains(first, StringComparison.Ordinal))
        {
            return null;
        }

        return Placeholders.Contains(text.ToLowerInvariant()) ? null : text;
    }

    /// <summary>
    /// The model alone: without the vendor's name in front, and without what devices glue after it in
    /// hrDeviceDescr or sysDescr (firmware versions, serial numbers, MAC addresses, "; Net 9.26, ...",
    /// a trailing "series", "printer", "MFP"). <paramref name="vendorNames"/> are the words to strip
    /// (e.g. "HP", "Hewlett-Packard"); <paramref name="knownValues"/> are the device's serial and
    /// firmware where already known (5 characters or more), cut wherever they appear as a word after the first.
    /// </summary>
    public static string? Model(string? text, IEnumerable<string> vendorNames, IEnumerable<string?>? knownValues = null)
    {
        text = TextDecoder.Normalise(text);
        if (text is null)
        {
            return null;
        }

        text = MacInText().Replace(text, " ");
        text = AfterSeparator().Replace(text, "");
        foreach (string known in (knownValues ?? []).OfType<string>().Where(k => k.Length >= 5))
        {
            int at = IndexOfWord(text, known);
            if (at > 0)
            {
                text = text[..at];
            }
        }

        text = TrailingIdentity().Replace(text, "");
        bool stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (string name in vendorNames)
            {
                if (text.Length > name.Length + 1 && text.StartsWith(name, StringComparison.OrdinalIgnoreCase)
                    && !char.IsLetterOrDigit(text[name.Length]))
                {
                    text = text[name.Length..].TrimStart(' ', '-', '_', ',');
                    stripped = true;
                }
            }
        }

        text = ModelSuffix().Replace(text, "").Trim().TrimEnd(',', ';', ':', '-', '/').Trim();
        return text.Length == 0 ? null : string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Where <paramref name="word"/> stands alone in <paramref name="text"/> (not inside a longer token), or -1.</summary>
    private static int IndexOfWord(string text, string word)
    {
        for (int at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            bool startsWord = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            int end = at + word.Length;
            bool endsWord = end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startsWord && endsWord)
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>A field of an IEEE 1284 device ID ("MFG:Brother;MDL:DCP-1618W;..."); keys compared case-insensitively.</summary>
    public static string? DeviceIdField(string? deviceId, params ReadOnlySpan<string> keys)
    {
        if (string.IsNullOrEmpty(deviceId))
        {
            return null;
        }

        foreach (string part in deviceId.Split(';'))
        {
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            string key = part[..colon].Trim();
            foreach (string wanted in keys)
            {
                if (key.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                {
                    return TextDecoder.Normalise(part[(colon + 1)..]);
                }
            }
        }

        return null;
    }

    // Run by Regex's interpreter, not [GeneratedRegex]: the interpreter is in the binary anyway for the vendor
    // profiles' patterns, and each generated matcher added its own code to the AOT image (the 19 together: 78 KiB;
    // docs/benchmarks.md "Third pass"). Same patterns, same matches; a few microseconds per description.
    private static Regex SerialPrefix() => SerialPrefixPattern;

    private static readonly Regex SerialPrefixPattern = new(@"^(?:S/?N|Serial(?:\s*(?:No\.?|Number))?)\s*[:=#]\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex ModelSuffix() => ModelSuffixPattern;

    private static readonly Regex ModelSuffixPattern = new(@"(?:\s+(?:series|printer|printing system|laser printer|mfp))+\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>A MAC address as text (00:1b:a9:0b:a7:52, 00-1B-..., or 12 hex digits in brackets).</summary>
    private static Regex MacInText() => MacInTextPattern;

    private static readonly Regex MacInTextPattern = new(@"[\[(]?\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b[\])]?|\[[0-9A-Fa-f]{12}\]|\(?\bMAC\s*[:=]?\s*[0-9A-Fa-f:.-]{12,17}\)?", RegexOptions.CultureInvariant);

    /// <summary>Everything after ";", "," or " /": firmware lists ("; Net 9.26, Engine ..."), "SN:..." fields, Canon's " /P".</summary>
    private static Regex AfterSeparator() => AfterSeparatorPattern;

    private static readonly Regex AfterSeparatorPattern = new(@"\s*(?:[;,]|\s/).*$", RegexOptions.CultureInvariant);

    /// <summary>
    /// A serial or firmware field after the model: "S/N X", "SN: X", "Serial Number X", "Firmware Ver.1.14",
    /// "FW 2.3", "version NH5...", "Ver.1.01", "Rev.02", "V11.01.03", "OS 1.01.15", a dotted version "2.20", or
    /// a date ("(08.12.12)", "02-27-2017"), and everything after it.
    /// </summary>
    private static Regex TrailingIdentity() => TrailingIdentityPattern;

    private static readonly Regex TrailingIdentityPattern = new(@"\s+(?:(?:S/?N|Serial(?:\s*(?:No\.?|Number))?)\b\s*[:#=]?|(?:Firmware|F/?W|Version|Ver\.?|Rev\.?|OS)\b\s*[:.]?\s*\S*\d|V\d+(?:\.\d+)+|\(?\d+(?:\.\d+)+\)?(?=\s|$)|\d{1,2}-\d{1,2}-\d{4}\b).*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
