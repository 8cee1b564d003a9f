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
    /// A model name without the vendor's name in front, a trailing "series" or "printer", and repeated white space.
    /// <paramref name="vendorNames"/> are the words to strip (e.g. "HP", "Hewlett-Packard").
    /// </summary>
    public static string? Model(string? text, IEnumerable<string> vendorNames)
    {
        text = TextDecoder.Normalise(text);
        if (text is null)
        {
            return null;
        }

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

        text = ModelSuffix().Replace(text, "").Trim();
        return text.Length == 0 ? null : text;
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

    [GeneratedRegex(@"^(?:S/?N|Serial(?:\s*(?:No\.?|Number))?)\s*[:=#]\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SerialPrefix();

    [GeneratedRegex(@"(?:\s+(?:series|printer|printing system|laser printer|mfp))+\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ModelSuffix();
}
