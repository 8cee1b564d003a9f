using System.Text.Json.Serialization;

namespace OneStopPi.Collection.Profiles;

/// <summary>
/// What we know about one vendor family, as data (Profiles/*.json): how to recognise it, which vendor
/// OIDs hold its model, serial, firmware and page counters, and how to read its private blocks.
/// </summary>
public sealed record VendorProfile
{
    /// <summary>Unique name (the file name without .json for embedded profiles).</summary>
    public required string Name { get; init; }

    /// <summary>The vendor reported when no <see cref="Brands"/> entry matches.</summary>
    public required string Vendor { get; init; }

    /// <summary>Default priority of the match rules; higher wins.</summary>
    public int Priority { get; init; } = 50;

    public IReadOnlyList<MatchRule> Match { get; init; } = [];

    /// <summary>OEM brands sold under this family (Savin, Lanier... for Ricoh), told apart by sysDescr or model.</summary>
    public IReadOnlyList<BrandRule> Brands { get; init; } = [];

    /// <summary>
    /// OIDs to GET when neither sysObjectID nor sysDescr matched any profile (some agents hide both):
    /// the profile matches when one answers (and its regex matches, if given).
    /// </summary>
    public IReadOnlyList<ValueSource> Probe { get; init; } = [];

    /// <summary>Words stripped from the front of model names ("HP", "Hewlett-Packard").</summary>
    public IReadOnlyList<string> VendorNames { get; init; } = [];

    /// <summary>Where the model comes from, in order; <c>from: "hrDeviceDescr"</c> is the standard source.</summary>
    public IReadOnlyList<ValueSource> Model { get; init; } = [];

    public IReadOnlyList<ValueSource> Serial { get; init; } = [];

    public IReadOnlyList<ValueSource> Firmware { get; init; } = [];

    /// <summary>A vendor status line (panel text).</summary>
    public IReadOnlyList<ValueSource> StatusText { get; init; } = [];

    /// <summary>Scalar page counters.</summary>
    public IReadOnlyList<CounterSource> Counters { get; init; } = [];

    /// <summary>Counters kept in a vendor table of (name, value) rows, picked by name.</summary>
    public IReadOnlyList<CounterTable> CounterTables { get; init; } = [];

    /// <summary>Brother's private maintenance block (1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.*).</summary>
    public BrotherMaintenance? BrotherMaintenance { get; init; }

    /// <summary>Models whose hrDeviceDescr is not a model name (e.g. a driver name like "Generic 28C-1").</summary>
    public string? IgnoreHrDeviceDescr { get; init; }

    public string? Notes { get; init; }
}

/// <summary>One way to recognise a family: a sysObjectID prefix and/or a sysDescr regex (all given must match).</summary>
public sealed record MatchRule
{
    public string? SysObjectId { get; init; }

    public string? SysDescr { get; init; }

    /// <summary>Overrides the profile's priority for this rule.</summary>
    public int? Priority { get; init; }
}

/// <summary>An OEM brand: its name and the regex (on sysDescr, else on the model source text) that reveals it.</summary>
public sealed record BrandRule
{
    public required string Vendor { get; init; }

    public string? SysDescr { get; init; }

    public IReadOnlyList<string> VendorNames { get; init; } = [];
}

/// <summary>
/// Where one value comes from: an <see cref="Oid"/> the profile asks for, or a value already read
/// (<see cref="From"/>: sysDescr, hrDeviceDescr, entPhysicalModelName, entPhysicalSerialNum,
/// entPhysicalFirmwareRev, entPhysicalSoftwareRev, prtGeneralSerialNumber). <see cref="Regex"/> picks
/// the part (group "value", else group 1, else the whole match); <see cref="DeviceIdKey"/> reads a
/// field of an IEEE 1284 device ID ("MDL").
/// </summary>
public sealed record ValueSource
{
    public string? Oid { get; init; }

    public string? From { get; init; }

    public string? Regex { get; init; }

    public string? DeviceIdKey { get; init; }
}

/// <summary>A scalar counter: its reading name (total, mono, colour, print, copy, scan, fax, duplex, or an extra name).</summary>
public sealed record CounterSource
{
    public required string Name { get; init; }

    /// <summary>One OID, or several (<see cref="Sum"/>) whose values are added.</summary>
    public string? Oid { get; init; }

    public IReadOnlyList<string> Sum { get; init; } = [];
}

/// <summary>A vendor table of named counters: each wanted counter is the row whose name matches a regex.</summary>
public sealed record CounterTable
{
    public required string NameColumn { get; init; }

    public required string ValueColumn { get; init; }

    /// <summary>Counter name → regex on the row's name (first matching row wins).</summary>
    public IReadOnlyDictionary<string, string> Rows { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Brother's maintenance OCTET STRINGs: records of <c>code, 0x01, length, value (big endian)</c> ended by
/// a checksum byte. Each code the profile names becomes a supply or a counter.
/// </summary>
public sealed record BrotherMaintenance
{
    /// <summary>The OIDs holding records (maintenance ...5.5.8.0, counters ...5.5.10.0, next care ...5.5.11.0).</summary>
    public IReadOnlyList<string> Oids { get; init; } = [];

    /// <summary>Record code as two hex digits → what it means.</summary>
    public IReadOnlyDictionary<string, BrotherCode> Codes { get; init; } = new Dictionary<string, BrotherCode>();
}

/// <summary>The meaning of one Brother record code.</summary>
public sealed record BrotherCode
{
    /// <summary>"counter", "supplyPercent" (value is hundredths of a percent), "supplyPages" (pages left) or "ignore".</summary>
    public required string Kind { get; init; }

    /// <summary>Counter name, or supply description.</summary>
    public required string Name { get; init; }

    public Readings.SupplyType? Type { get; init; }

    public string? Colour { get; init; }

    /// <summary>Divide the raw value by this (100 for hundredths of a percent).</summary>
    public int Divisor { get; init; } = 1;
}

/// <summary>Source-generated JSON for profile files (camelCase, comments and trailing commas allowed).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(VendorProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
