namespace OneStopPi.Collection.Readings;

/// <summary>
/// What one device said about itself in one visit: identity, status, page counters and supplies.
/// Anything the device did not tell us is null (unknown), never a guess. A device that could not be
/// read at all, or only in part, carries the reason in <see cref="Error"/> next to what was read.
/// </summary>
public sealed record DeviceReading
{
    /// <summary>The address polled.</summary>
    public required string Ip { get; init; }

    public required int Port { get; init; }

    /// <summary>The MAC of the interface that carries <see cref="Ip"/>, else the first real Ethernet address; aa:bb:cc:dd:ee:ff.</summary>
    public string? Mac { get; init; }

    public string? Vendor { get; init; }

    public string? Model { get; init; }

    public string? Serial { get; init; }

    public string? Firmware { get; init; }

    public string? SysName { get; init; }

    public string? SysDescr { get; init; }

    /// <summary>sysObjectID, dotted decimal.</summary>
    public string? SysObjectId { get; init; }

    /// <summary>sysUpTime in seconds.</summary>
    public long? UptimeSeconds { get; init; }

    /// <summary>The vendor profile that was applied, by name; null when none matched.</summary>
    public string? Profile { get; init; }

    public DeviceStatus Status { get; init; } = DeviceStatus.Unknown;

    /// <summary>
    /// Page counters by name (the vocabulary of <see cref="CounterNames"/>, then vendor extras), each with
    /// the OID it was read from ("a+b" for a sum of parts). A counter the device does not have is absent.
    /// </summary>
    public IReadOnlyDictionary<string, PageCounter> Counters { get; init; } = EmptyCounters;

    public IReadOnlyList<SupplyReading> Supplies { get; init; } = [];

    /// <summary>SNMP requests this reading took (retransmissions not counted).</summary>
    public int Requests { get; init; }

    /// <summary>Wall time of the visit in milliseconds.</summary>
    public long ElapsedMs { get; init; }

    /// <summary>Why the reading is missing or incomplete; null when everything went as expected.</summary>
    public string? Error { get; init; }

    /// <summary>The device answered at least one request (false: nothing but <see cref="Error"/> is known).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Answered { get; init; } = true;

    internal static readonly IReadOnlyDictionary<string, PageCounter> EmptyCounters = new Dictionary<string, PageCounter>();
}

/// <summary>One page counter and where it came from.</summary>
public sealed record PageCounter(long Value, string Oid);

/// <summary>
/// The counter vocabulary (docs/scan-json.md), the same for every vendor: totals by colour mode, each
/// function (print, copy, fax, scan) and its split by colour mode, duplex and large-format clicks.
/// Vendor profiles may add extras whose names say what they count; every name is camelCase, at most
/// <see cref="MaxNameLength"/> characters (the reading schema and the portal's column).
/// </summary>
public static partial class CounterNames
{
    /// <summary>Longest counter name (readings.xsd CounterName, the portal's counter name column).</summary>
    public const int MaxNameLength = 16;

    public const string Total = "total";
    public const string Mono = "mono";
    public const string Colour = "colour";
    public const string TwoColour = "twoColour";
    public const string OneColour = "oneColour";
    public const string Print = "print";
    public const string PrintMono = "printMono";
    public const string PrintColour = "printColour";
    public const string PrintTwoColour = "printTwoColour";
    public const string PrintOneColour = "printOneColour";
    public const string Copy = "copy";
    public const string CopyMono = "copyMono";
    public const string CopyColour = "copyColour";
    public const string CopyTwoColour = "copyTwoColour";
    public const string CopyOneColour = "copyOneColour";
    public const string Fax = "fax";
    public const string FaxMono = "faxMono";
    public const string FaxColour = "faxColour";
    public const string Scan = "scan";
    public const string ScanMono = "scanMono";
    public const string ScanColour = "scanColour";
    public const string ScanTwoColour = "scanTwoColour";
    public const string Duplex = "duplex";
    public const string Large = "large";
    public const string LargeMono = "largeMono";
    public const string LargeColour = "largeColour";

    /// <summary>Pages since the last power-on (prtMarkerPowerOnCount): not a billing counter.</summary>
    public const string SincePowerOn = "sincePowerOn";

    /// <summary>The vocabulary, in the order readings, documents and CSV columns list it.</summary>
    public static IReadOnlyList<string> Standard { get; } =
    [
        Total, Mono, Colour, TwoColour, OneColour,
        Print, PrintMono, PrintColour, PrintTwoColour, PrintOneColour,
        Copy, CopyMono, CopyColour, CopyTwoColour, CopyOneColour,
        Fax, FaxMono, FaxColour,
        Scan, ScanMono, ScanColour, ScanTwoColour,
        Duplex, Large, LargeMono, LargeColour,
    ];

    /// <summary>A name a reading may carry: camelCase letters and digits, 2 to <see cref="MaxNameLength"/> characters.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: >= 2 and <= MaxNameLength } && char.IsAsciiLetterLower(name[0]) && !name.AsSpan(1).ContainsAnyExcept(NameCharacters);

    /// <summary>Names in reading order: the vocabulary first, then the extras alphabetically.</summary>
    public static IEnumerable<string> InReadingOrder(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = new HashSet<string>(names, StringComparer.Ordinal);
        return Standard.Where(set.Contains).Concat(set.Where(n => !Standard.Contains(n)).Order(StringComparer.Ordinal));
    }

    /// <summary>After the first letter: ASCII letters and digits (a span check, not a regex: smaller in the AOT image).</summary>
    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
}
