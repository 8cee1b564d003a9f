using System.Text.Json.Serialization;

namespace OneStopPi.Collection.Readings;

/// <summary>
/// One supply (toner, ink, drum, waste container, kit...) as the device reports it. <see cref="Level"/>
/// and <see cref="Max"/> are the raw values; <see cref="Percent"/> exists only when both are real
/// numbers (level ≥ 0, max > 0); Printer-MIB's special levels stay apart in <see cref="State"/>.
/// </summary>
public sealed record SupplyReading
{
    /// <summary>prtMarkerSuppliesIndex, or the vendor's index for vendor supplies.</summary>
    public int Index { get; init; }

    public string? Description { get; init; }

    public SupplyType Type { get; init; } = SupplyType.Unknown;

    /// <summary>Whether the level counts down (consumed) or up (a receptacle that fills, e.g. waste toner).</summary>
    public SupplyClass? Class { get; init; }

    /// <summary>Lower-case colorant name (black, cyan, magenta, yellow, ...) where known.</summary>
    public string? Colour { get; init; }

    public long? Level { get; init; }

    public long? Max { get; init; }

    public SupplyUnit? Unit { get; init; }

    /// <summary>round(level / max × 100), only when level ≥ 0 and max > 0; capped at 100.</summary>
    public int? Percent { get; init; }

    public SupplyState State { get; init; } = SupplyState.Unknown;

    /// <summary>Pages the supply is expected to last, where the device says (Brother's "next care" block).</summary>
    public long? RemainingPages { get; init; }

    /// <summary>The OID the level was read from.</summary>
    public string? Oid { get; init; }
}

/// <summary>
/// How to read <see cref="SupplyReading.Level"/>: a number, or one of Printer-MIB's special values
/// (RFC 3805 prtMarkerSuppliesLevel: −1 no restriction, −2 unknown, −3 at least one unit remains).
/// </summary>
[JsonConverter(typeof(CamelCaseEnumConverter<SupplyState>))]
public enum SupplyState
{
    /// <summary>The level is a measured amount (≥ 0).</summary>
    Known,

    /// <summary>−1: no limit (e.g. a supply fed from a continuous source).</summary>
    NoLimit,

    /// <summary>−2, or no level at all.</summary>
    Unknown,

    /// <summary>−3: some remains, amount not known. Not a percentage.</summary>
    SomeRemaining,

    /// <summary>A value Printer-MIB does not define (another negative number, a wrong type).</summary>
    Invalid,
}

/// <summary>PrtMarkerSuppliesClassTC.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<SupplyClass>))]
public enum SupplyClass
{
    Other = 1,
    Consumed = 3,
    Filled = 4,
}

/// <summary>PrtMarkerSuppliesTypeTC (IANA-PRINTER-MIB), plus <see cref="MaintenanceKit"/> for vendor kits.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<SupplyType>))]
public enum SupplyType
{
    Other = 1,
    Unknown = 2,
    Toner = 3,
    WasteToner = 4,
    Ink = 5,
    InkCartridge = 6,
    InkRibbon = 7,
    WasteInk = 8,
    Opc = 9,
    Developer = 10,
    FuserOil = 11,
    SolidWax = 12,
    RibbonWax = 13,
    WasteWax = 14,
    Fuser = 15,
    CoronaWire = 16,
    FuserOilWick = 17,
    CleanerUnit = 18,
    FuserCleaningPad = 19,
    TransferUnit = 20,
    TonerCartridge = 21,
    FuserOiler = 22,
    Water = 23,
    WasteWater = 24,
    GlueWaterAdditive = 25,
    WastePaper = 26,
    BindingSupply = 27,
    BandingSupply = 28,
    StitchingWire = 29,
    ShrinkWrap = 30,
    PaperWrap = 31,
    Staples = 32,
    Inserts = 33,
    Covers = 34,
    MatteToner = 35,
    MatteInk = 36,

    /// <summary>Not in the MIB: a maintenance / paper-feed kit named by a vendor block or description.</summary>
    MaintenanceKit = 1000,
}

/// <summary>PrtMarkerSuppliesSupplyUnitTC.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<SupplyUnit>))]
public enum SupplyUnit
{
    Other = 1,
    Unknown = 2,
    TenThousandthsOfInches = 3,
    Micrometers = 4,
    Impressions = 7,
    Sheets = 8,
    Hours = 11,
    ThousandthsOfOunces = 12,
    TenthsOfGrams = 13,
    HundrethsOfFluidOunces = 14,
    TenthsOfMilliliters = 15,
    Feet = 16,
    Meters = 17,
    Items = 18,
    Percent = 19,
}
