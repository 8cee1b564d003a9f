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

/// <summary>
/// A scalar counter under its reading name (the vocabulary of <see cref="Readings.CounterNames"/>, or an
/// extra whose name says what it counts). <see cref="Oid"/> alone; or <see cref="Sum"/>: the values
/// present are added (at least one must be) and the reading lists every part ("a+b"); or
/// <see cref="First"/>: the first OID that answers (models of one family keep the same count in
/// different places). A vendor <c>total</c> replaces prtMarkerLifeCount: name it only where it is the
/// total dealers bill from. <see cref="Source"/> says where the OID's meaning comes from.
/// </summary>
public sealed record CounterSource
{
    public required string Name { get; init; }

    public string? Oid { get; init; }

    public IReadOnlyList<string> Sum { get; init; } = [];

    public IReadOnlyList<string> First { get; init; } = [];

    public string? Source { get; init; }
}

/// <summary>
/// A vendor table of counters, one row per kind: <see cref="KeyColumn"/> says what a row counts (a name
/// or a type code, matched as text), <see cref="ValueColumn"/> holds the count. Rows are matched by
/// full index; with <see cref="UnitColumn"/>, only rows whose unit equals <see cref="Unit"/> count.
/// </summary>
public sealed record CounterTable
{
    public required string KeyColumn { get; init; }

    public required string ValueColumn { get; init; }

    public string? UnitColumn { get; init; }

    public long? Unit { get; init; }

    public IReadOnlyList<CounterRow> Rows { get; init; } = [];
}

/// <summary>One counter from a <see cref="CounterTable"/>: the rows whose key matches <see cref="Key"/> (a regex), added when <see cref="Sum"/>.</summary>
public sealed record CounterRow
{
    public required string Counter { get; init; }

    public required string Key { get; init; }

    public bool Sum { get; init; }

    /// <summary>Where the row's meaning comes from (a MIB, an open project's module).</summary>
    public string? Source { get; init; }
}

/// <summary>
/// Brother's maintenance OCTET STRINGs (1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.{8,10,11}.0): records of
/// <c>code, 0x01, length, value (big endian)</c>; old models use 2-byte values (remaining, maximum).
/// The same code means different things in different blocks, so codes are listed per block.
/// </summary>
public sealed record BrotherMaintenance
{
    public IReadOnlyList<BrotherBlock> Blocks { get; init; } = [];

    /// <summary>The supplies the codes refer to, by key.</summary>
    public IReadOnlyDictionary<string, BrotherSupply> Supplies { get; init; } = new Dictionary<string, BrotherSupply>();

    /// <summary>Models (regex on the model name) that use ink: their "toner" supplies are reported as ink.</summary>
    public string? InkModels { get; init; }
}

public sealed record BrotherBlock
{
    public required string Oid { get; init; }

    /// <summary>Record code as two lower-case hex digits → meaning.</summary>
    public IReadOnlyDictionary<string, BrotherCode> Codes { get; init; } = new Dictionary<string, BrotherCode>();
}

/// <summary>What one record holds: a counter, or a field of a supply.</summary>
public sealed record BrotherCode
{
    /// <summary>Counter name, when the record is a counter.</summary>
    public string? Counter { get; init; }

    /// <summary>Supply key (see <see cref="BrotherMaintenance.Supplies"/>), when the record describes a supply.</summary>
    public string? Supply { get; init; }

    /// <summary>For a supply: "remaining" (hundredths of a percent; legacy: remaining/maximum) or "pages" (pages left).</summary>
    public string Field { get; init; } = "remaining";
}

public sealed record BrotherSupply
{
    public required string Description { get; init; }

    public Readings.SupplyType Type { get; init; } = Readings.SupplyType.Other;

    public string? Colour { get; init; }
}

/// <summary>Source-generated JSON for profile files (camelCase, comments and trailing commas allowed).</summary>
// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(VendorProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
