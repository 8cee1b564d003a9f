using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary>
/// Splits <c>-On</c> output into one record per varbind and removes the differences from net-snmp that
/// docs/snmp.md documents: net-snmp wraps a Hex-STRING after 16 octets and ends it with a space (we print
/// it on one line without), prints a trailer after a walk that reaches the end of the MIB ("No more
/// variables left..." for v2c/v3, "End of MIB" for v1), which we do not.
/// </summary>
internal static partial class NetSnmpText
{
    public static List<string> Records(string output)
    {
        var records = new List<string>();
        foreach (string line in output.Split('\n'))
        {
            if (RecordStart().IsMatch(line))
            {
                records.Add(line);
            }
            else if (records.Count > 0 && line.Length > 0 && line != "End of MIB")
            {
                records[^1] += "\n" + line; // a wrapped Hex-STRING, or a STRING holding a line feed
            }
        }

        return [.. records
            .Where(r => !r.EndsWith("= No more variables left in this MIB View (It is past the end of the MIB tree)", StringComparison.Ordinal))
            .Select(NormaliseHex)];
    }

    private static string NormaliseHex(string record)
    {
        int at = record.IndexOf(" = Hex-STRING: ", StringComparison.Ordinal);
        if (at < 0)
        {
            return record;
        }

        string hex = record[(at + " = Hex-STRING: ".Length)..];
        return record[..at] + " = Hex-STRING: " + string.Join(' ', hex.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }

    [GeneratedRegex(@"^\.\d[\d.]* = ")]
    private static partial Regex RecordStart();
}
