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
    /// Page counters by name: <c>total</c>, <c>mono</c>, <c>colour</c>, <c>print</c>, <c>copy</c>,
    /// <c>scan</c>, <c>fax</c>, <c>duplex</c> (see <see cref="CounterNames"/>) and vendor extras,
    /// each with the OID it was read from.
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

/// <summary>The names of the counters a dealer bills from; vendor profiles may add others.</summary>
public static class CounterNames
{
    public const string Total = "total";
    public const string Mono = "mono";
    public const string Colour = "colour";
    public const string Print = "print";
    public const string Copy = "copy";
    public const string Scan = "scan";
    public const string Fax = "fax";
    public const string Duplex = "duplex";

    /// <summary>The standard names, in the order readings list them.</summary>
    public static IReadOnlyList<string> Standard { get; } = [Total, Mono, Colour, Print, Copy, Scan, Fax, Duplex];
}
