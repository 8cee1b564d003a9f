using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using OneStopPi.Collection.Decoding;
using OneStopPi.Collection.Mib;
using OneStopPi.Collection.Profiles;
using OneStopPi.Collection.Requests;
using OneStopPi.Snmp;

namespace OneStopPi.Collection;

/// <summary>Everything one device answered during a visit, before it is turned into a reading.</summary>
internal sealed class DeviceAnswers
{
    public DeviceAnswers(IPAddress address) => Address = address;

    public IPAddress Address { get; }

    /// <summary>Scalar answers (GETs), including exceptions.</summary>
    public Dictionary<ObjectIdentifier, SnmpValue> Values { get; } = [];

    public ColumnSet? Tables { get; set; }

    public ProblemList Problems { get; } = new();

    /// <summary>The device answered at least one request.</summary>
    public bool Answered { get; set; }

    public CompiledProfile? Profile { get; set; }

    /// <summary>hrDeviceIndex of the printer (1 unless hrPrinterTable says otherwise).</summary>
    public uint PrinterIndex { get; set; } = 1;

    public ObjectIdentifier? SysObjectId =>
        Values.TryGetValue(StandardOids.SysObjectId, out SnmpValue value) && value.Type == SnmpValueType.ObjectIdentifier
            ? value.AsObjectIdentifier()
            : (ObjectIdentifier?)null;

    /// <summary>The charset the device declares for its localized strings, when it is not UTF-8.</summary>
    public Encoding? Charset =>
        Number(StandardOids.PrtLocalizationCharacterSet.Append(PrinterIndex, 1)) is { } mibEnum ? TextDecoder.ForIanaCharset(mibEnum) : null;

    public bool Has(ObjectIdentifier oid) => Values.TryGetValue(oid, out SnmpValue value) && !value.IsException;

    public bool IsPrinterDevice(uint index) =>
        Values.TryGetValue(StandardOids.HrDeviceType.Append(index), out SnmpValue value)
        && value.Type == SnmpValueType.ObjectIdentifier && value.AsObjectIdentifier() == StandardOids.HrDevicePrinter;

    /// <summary>The value at <paramref name="oid"/> as clean text; null when missing or empty. A non-string value is a problem.</summary>
    public string? Text(ObjectIdentifier oid)
    {
        if (!Values.TryGetValue(oid, out SnmpValue value) || value.IsException || value.Type == SnmpValueType.Null)
        {
            return null;
        }

        return TextOf(oid, value, Charset, Problems);
    }

    /// <summary>The raw octets at <paramref name="oid"/>, or null.</summary>
    public byte[]? Octets(ObjectIdentifier oid) =>
        Values.TryGetValue(oid, out SnmpValue value) && value.Type is SnmpValueType.OctetString or SnmpValueType.Opaque
            ? value.Bytes.ToArray()
            : null;

    /// <summary>The value at <paramref name="oid"/> as a number; null when missing. A non-number is a problem.</summary>
    public long? Number(ObjectIdentifier oid)
    {
        if (!Values.TryGetValue(oid, out SnmpValue value) || value.IsException || value.Type == SnmpValueType.Null)
        {
            return null;
        }

        return NumberOf(oid, value, Problems);
    }

    /// <summary>Strings longer than this are not text a printer means to send (Printer-MIB caps descriptions at 255).</summary>
    private const int LongText = 1024;

    internal static string? TextOf(ObjectIdentifier oid, SnmpValue value, Encoding? charset, ProblemList problems)
    {
        switch (value.Type)
        {
            case SnmpValueType.OctetString or SnmpValueType.Opaque:
                if (value.Bytes.Length > LongText)
                {
                    problems.Add($"{oid} is a {value.Bytes.Length}-byte string; kept the first {TextDecoder.MaxLength} characters");
                }

                return TextDecoder.Clean(value.Bytes, charset);
            case SnmpValueType.IpAddress or SnmpValueType.ObjectIdentifier:
                return value.ToString();
            default:
                if (value.IsNumeric && value.TryGetInt64(out long number))
                {
                    return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                problems.Add($"{oid} has type {value.Type}, expected text");
                return null;
        }
    }

    internal static long? NumberOf(ObjectIdentifier oid, SnmpValue value, ProblemList problems)
    {
        if (value.IsException || value.Type == SnmpValueType.Null)
        {
            return null;
        }

        if (value.TryGetInt64(out long number))
        {
            return number;
        }

        problems.Add($"{oid} has type {value.Type}, expected a number");
        return null;
    }

    /// <summary>Reads a profile value source: its OID or the named standard object, then the device-ID field and regex.</summary>
    public string? Resolve(CompiledSource source)
    {
        string? text = source.Oid is { } oid ? Text(oid) : source.From switch
        {
            ValueSources.SysDescr => Text(StandardOids.SysDescr),
            ValueSources.HrDeviceDescr => Text(StandardOids.HrDeviceDescr.Append(PrinterIndex)),
            ValueSources.EntPhysicalModelName => Text(StandardOids.EntPhysicalModelName1),
            ValueSources.EntPhysicalSerialNum => Text(StandardOids.EntPhysicalSerialNum1),
            ValueSources.EntPhysicalFirmwareRev => Text(StandardOids.EntPhysicalFirmwareRev1),
            ValueSources.EntPhysicalSoftwareRev => Text(StandardOids.EntPhysicalSoftwareRev1),
            ValueSources.PrtGeneralSerialNumber => Text(StandardOids.PrtGeneralSerialNumber.Append(PrinterIndex)),
            _ => null,
        };
        if (text is null)
        {
            return null;
        }

        if (source.DeviceIdKey is { } key)
        {
            text = IdentityText.DeviceIdField(text, key.Split('|'));
            if (text is null)
            {
                return null;
            }
        }

        if (source.Regex is { } regex)
        {
            Match match;
            try
            {
                match = regex.Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }

            if (!match.Success)
            {
                return null;
            }

            Group group = match.Groups["value"].Success ? match.Groups["value"] : match.Groups.Count > 1 && match.Groups[1].Success ? match.Groups[1] : match.Groups[0];
            text = TextDecoder.Normalise(group.Value);
        }

        return text;
    }
}

/// <summary>What went wrong during a visit, each reason once, in order.</summary>
internal sealed class ProblemList
{
    private readonly List<string> _items = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    public void Add(string problem)
    {
        if (_items.Count < 20 && _seen.Add(problem))
        {
            _items.Add(problem);
        }
    }

    public void AddRange(IEnumerable<string> problems)
    {
        foreach (string problem in problems)
        {
            Add(problem);
        }
    }

    public override string ToString() => string.Join("; ", _items);
}
