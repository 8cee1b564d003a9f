using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Readings;

// A parsed reading document (schemas/readings.xsd, urn:onestoppi:readings:1).

internal sealed record ReadingDocument(
    string AgentId,
    string SiteId,
    ScanKind Kind,
    bool MissedMeter,
    DateTime Start,
    DateTime End,
    IReadOnlyList<DeviceReading> Devices)
{
    /// <summary>A scheduled meter read's slot (its scheduled time, UTC), the same for every box of the site; else null.</summary>
    public DateTime? Slot { get; init; }
}

internal sealed record DeviceReading(
    string Ip,
    int Port,
    string? Mac,
    string? Vendor,
    string? Model,
    string? Serial,
    string? Firmware,
    string? SysName,
    string? SysDescr,
    string? SysObjectId,
    string? Error,
    StatusReading? Status,
    IReadOnlyList<CounterReading> Counters,
    IReadOnlyList<SupplyReading> Supplies);

internal sealed record StatusReading(int? HrDeviceStatus, int? HrPrinterStatus, IReadOnlyList<string> Errors, IReadOnlyList<AlertReading> Alerts);

internal sealed record AlertReading(string? Severity, string? Group, int? Code, string? Description);

internal sealed record CounterReading(string Name, ulong Value, string Oid);

internal sealed record SupplyReading(
    string? Description, string? Type, string? Colour, int? Level, int? Max, string? Unit, int? Percent, string? State);
