using System.Text.Json;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Collection.Decoding;

/// <summary>
/// hrPrinterDetectedErrorState (RFC 2790, second octet added by RFC 3805): an OCTET STRING of bits
/// where bit 0 is the most significant bit of the first octet. Devices send one or two octets
/// (some pad to more); every octet present is decoded, bits past 15 are ignored.
/// </summary>
internal static class ErrorStateDecoder
{
    private static readonly PrinterErrors[] Bits =
    [
        PrinterErrors.LowPaper, PrinterErrors.NoPaper, PrinterErrors.LowToner, PrinterErrors.NoToner,
        PrinterErrors.DoorOpen, PrinterErrors.Jammed, PrinterErrors.Offline, PrinterErrors.ServiceRequested,
        PrinterErrors.InputTrayMissing, PrinterErrors.OutputTrayMissing, PrinterErrors.MarkerSupplyMissing,
        PrinterErrors.OutputNearFull, PrinterErrors.OutputFull, PrinterErrors.InputTrayEmpty,
        PrinterErrors.OverduePreventMaint,
    ];

    public static PrinterErrors Decode(ReadOnlySpan<byte> octets)
    {
        PrinterErrors flags = PrinterErrors.None;
        for (int bit = 0; bit < Bits.Length; bit++)
        {
            int octet = bit / 8;
            if (octet < octets.Length && (octets[octet] & (0x80 >> (bit % 8))) != 0)
            {
                flags |= Bits[bit];
            }
        }

        return flags;
    }

    /// <summary>The set flags as camelCase names, in bit order (lowPaper first).</summary>
    public static IReadOnlyList<string> Names(PrinterErrors flags)
    {
        if (flags == PrinterErrors.None)
        {
            return [];
        }

        var names = new List<string>(4);
        foreach (PrinterErrors bit in Bits)
        {
            if ((flags & bit) != 0)
            {
                names.Add(JsonNamingPolicy.CamelCase.ConvertName(bit.ToString()));
            }
        }

        return names;
    }
}
