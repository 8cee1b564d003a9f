using System.Buffers.Binary;

namespace OneStopPi.Portal.Tests.Support;

/// <summary>Rewrites a ZIP's declared sizes, the way a zip bomb lies about them (APPNOTE 4.3.7, 4.3.12).</summary>
internal static class ZipTamper
{
    public static byte[] UnderstateSize(byte[] zip, uint declared) => Rewrite(zip, 22, 24, declared);

    /// <summary>Declares another CRC-32 (APPNOTE 4.3.7 offset 14, 4.3.12 offset 16).</summary>
    public static byte[] WrongCrc(byte[] zip) => Rewrite(zip, 14, 16, 0xDEADBEEF);

    private static byte[] Rewrite(byte[] zip, int localOffset, int centralOffset, uint value)
    {
        var bytes = (byte[])zip.Clone();
        for (var i = 0; i + 46 <= bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + localOffset), value);
            }
            else if (signature == 0x02014b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + centralOffset), value);
            }
        }

        return bytes;
    }
}
