using System.Text.Json.Serialization;

namespace OneStopPi.Collection.Readings;

/// <summary>HOST-RESOURCES-MIB device and printer status, the decoded error bits and the Printer-MIB alert table.</summary>
public sealed record DeviceStatus
{
    public static DeviceStatus Unknown { get; } = new();

    /// <summary>hrDeviceStatus of the printer's hrDeviceEntry (RFC 2790).</summary>
    public HrDeviceStatus? HrDeviceStatus { get; init; }

    /// <summary>hrPrinterStatus (RFC 2790).</summary>
    public HrPrinterStatus? HrPrinterStatus { get; init; }

    /// <summary>hrPrinterDetectedErrorState decoded over both octets: lowPaper, noPaper, lowToner, ...</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>The raw hrPrinterDetectedErrorState octets as hex (e.g. "0000"); null when the device has none.</summary>
    public string? ErrorState { get; init; }

    /// <summary>The same bits as flags, for code; JSON carries <see cref="Errors"/>.</summary>
    [JsonIgnore]
    public PrinterErrors ErrorFlags { get; init; }

    /// <summary>A vendor status line (e.g. Brother's panel text) where a profile names one.</summary>
    public string? StatusText { get; init; }

    public IReadOnlyList<PrinterAlert> Alerts { get; init; } = [];
}

/// <summary>hrDeviceStatus (RFC 2790).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<HrDeviceStatus>))]
public enum HrDeviceStatus
{
    Unknown = 1,
    Running = 2,
    Warning = 3,
    Testing = 4,
    Down = 5,
}

/// <summary>hrPrinterStatus (RFC 2790).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<HrPrinterStatus>))]
public enum HrPrinterStatus
{
    Other = 1,
    Unknown = 2,
    Idle = 3,
    Printing = 4,
    Warmup = 5,
}

/// <summary>
/// hrPrinterDetectedErrorState (RFC 2790, extended by RFC 3805 to a second octet). Bit 0 is the most
/// significant bit of the first octet.
/// </summary>
[Flags]
public enum PrinterErrors
{
    None = 0,
    LowPaper = 1 << 0,
    NoPaper = 1 << 1,
    LowToner = 1 << 2,
    NoToner = 1 << 3,
    DoorOpen = 1 << 4,
    Jammed = 1 << 5,
    Offline = 1 << 6,
    ServiceRequested = 1 << 7,
    InputTrayMissing = 1 << 8,
    OutputTrayMissing = 1 << 9,
    MarkerSupplyMissing = 1 << 10,
    OutputNearFull = 1 << 11,
    OutputFull = 1 << 12,
    InputTrayEmpty = 1 << 13,
    OverduePreventMaint = 1 << 14,
}

/// <summary>One row of prtAlertTable (RFC 3805).</summary>
public sealed record PrinterAlert
{
    public int Index { get; init; }

    public AlertSeverity? Severity { get; init; }

    public AlertGroup? Group { get; init; }

    public int? GroupIndex { get; init; }

    public int? Location { get; init; }

    /// <summary>The PrtAlertCodeTC name (e.g. "jam", "markerTonerAlmostEmpty"); the number when the name is not known.</summary>
    public string? Code { get; init; }

    public int? CodeValue { get; init; }

    public string? Description { get; init; }
}

/// <summary>PrtAlertSeverityLevelTC.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    Other = 1,
    Critical = 3,
    Warning = 4,
    WarningBinaryChangeEvent = 5,
}

/// <summary>PrtAlertGroupTC.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AlertGroup>))]
public enum AlertGroup
{
    Other = 1,
    Unknown = 2,
    HostResourcesMIBStorageTable = 3,
    HostResourcesMIBDeviceTable = 4,
    GeneralPrinter = 5,
    Cover = 6,
    Localization = 7,
    Input = 8,
    Output = 9,
    Marker = 10,
    MarkerSupplies = 11,
    MarkerColorant = 12,
    MediaPath = 13,
    Channel = 14,
    Interpreter = 15,
    ConsoleDisplayBuffer = 16,
    ConsoleLights = 17,
    Alert = 18,
    FinDevice = 30,
    FinSupply = 31,
    FinSupplyMediaInput = 32,
    FinAttribute = 33,
}
