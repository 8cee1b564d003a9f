namespace OneStopPi.Collection.Decoding;

/// <summary>
/// Brother's maintenance OCTET STRINGs (1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.{8,10,11}.0): a run of
/// records <c>code(1) 0x01 length(1) value(length, big endian)</c>, usually ended by one checksum
/// byte. Older models use 2-byte values. Records that do not fit are dropped; no exception.
/// </summary>
internal static class BrotherMaintenanceDecoder
{
    /// <summary>The records: code, value, for 2-byte legacy records the maximum (second byte), and the value length.</summary>
    public static IReadOnlyList<(byte Code, long Value, long? Max, int Length)> Decode(ReadOnlySpan<byte> bytes)
    {
        var records = new List<(byte, long, long?, int)>();
        int at = 0;
        while (at + 3 <= bytes.Length)
        {
            byte code = bytes[at];
            byte marker = bytes[at + 1];
            int length = bytes[at + 2];
            if (marker != 0x01 || length is < 1 or > 8 || at + 3 + length > bytes.Length)
            {
                break; // the checksum byte, or not a record at all
            }

            if (length == 2)
            {
                // Older models: remaining, then the full scale (e.g. 0x04 of 0x14).
                records.Add((code, bytes[at + 3], bytes[at + 4], 2));
            }
            else
            {
                long value = 0;
                for (int i = 0; i < length; i++)
                {
                    value = (value << 8) | bytes[at + 3 + i];
                }

                records.Add((code, value, null, length));
            }

            at += 3 + length;
        }

        return records;
    }
}
