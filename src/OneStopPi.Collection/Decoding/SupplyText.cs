using System.Text.RegularExpressions;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Collection.Decoding;

/// <summary>
/// What a supply is and which colour, from its description, for devices that say "other"/"unknown"
/// for the type or name no colorant. Only clear words count; anything else stays unknown.
/// </summary>
internal static partial class SupplyText
{
    public static SupplyType InferType(string? description)
    {
        if (description is null)
        {
            return SupplyType.Unknown;
        }

        string d = description;
        return d switch
        {
            _ when WasteToner().IsMatch(d) => SupplyType.WasteToner,
            _ when WasteInk().IsMatch(d) => SupplyType.WasteInk,
            _ when Staples().IsMatch(d) => SupplyType.Staples,
            _ when Developer().IsMatch(d) => SupplyType.Developer,
            _ when Drum().IsMatch(d) => SupplyType.Opc,
            _ when Fuser().IsMatch(d) => SupplyType.Fuser,
            _ when Transfer().IsMatch(d) => SupplyType.TransferUnit,
            _ when Kit().IsMatch(d) => SupplyType.MaintenanceKit,
            _ when Ink().IsMatch(d) => SupplyType.Ink,
            _ when Toner().IsMatch(d) => SupplyType.Toner,
            _ => SupplyType.Unknown,
        };
    }

    /// <summary>A colour named in a description ("Black Cartridge HP CF410A", "Toner (Cyan)"); null when none is.</summary>
    public static string? InferColour(string? description)
    {
        if (description is null)
        {
            return null;
        }

        Match match = Colour().Match(description);
        return match.Success ? NormaliseColour(match.Value) : null;
    }

    /// <summary>prtMarkerColorantValue or a description word as a lower-case colour name.</summary>
    public static string? NormaliseColour(string? colour)
    {
        colour = TextDecoder.Normalise(colour)?.ToLowerInvariant();
        return colour switch
        {
            null or "" or "unknown" or "other" or "none" => null,
            "grey" => "gray",
            "schwarz" or "noir" or "nero" or "negro" => "black",
            _ => colour,
        };
    }

    // Run by Regex's interpreter, not [GeneratedRegex]: the interpreter is in the binary anyway for the vendor
    // profiles' patterns, and each generated matcher added its own code to the AOT image (the 19 together: 78 KiB;
    // docs/benchmarks.md "Third pass"). Same patterns, same matches; a few microseconds per description.
    private static Regex WasteToner() => WasteTonerPattern;

    private static readonly Regex WasteTonerPattern = new(@"\bwaste\s*toner|\btoner\s*(?:waste|collect)|\bwaste\s*(?:container|box|bottle)|\bresttoner", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex WasteInk() => WasteInkPattern;

    private static readonly Regex WasteInkPattern = new(@"\bwaste\s*ink|\bink\s*(?:waste|absorb)|\bmaintenance\s*(?:box|tank|cartridge)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Staples() => StaplesPattern;

    private static readonly Regex StaplesPattern = new(@"\bstaple", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Developer() => DeveloperPattern;

    private static readonly Regex DeveloperPattern = new(@"\bdeveloper", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Drum() => DrumPattern;

    private static readonly Regex DrumPattern = new(@"\bdrum|\bopc\b|photo\s*conductor|\bimaging\s*(?:unit|drum|kit)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Fuser() => FuserPattern;

    private static readonly Regex FuserPattern = new(@"\bfuser|\bfusing", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Transfer() => TransferPattern;

    private static readonly Regex TransferPattern = new(@"\btransfer|\bbelt\b|\bitb\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Kit() => KitPattern;

    private static readonly Regex KitPattern = new(@"\bmaint(?:enance|\.)?\s*kit|\bpaper\s*feed(?:ing)?\s*kit|\bpf\s*kit|\broller", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Ink() => InkPattern;

    private static readonly Regex InkPattern = new(@"\bink\b|\bink\s*(?:cartridge|tank|bottle|supply)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Toner() => TonerPattern;

    private static readonly Regex TonerPattern = new(@"\btoner|\bcartridge", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Colour() => ColourPattern;

    private static readonly Regex ColourPattern = new(@"\b(?:photo\s+black|matte?\s+black|light\s+cyan|light\s+magenta|light\s+black|light\s+gray|light\s+grey|black|cyan|magenta|yellow|gray|grey|red|blue|green|orange|violet|white|clear|gold|silver|schwarz|noir|nero|negro)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
