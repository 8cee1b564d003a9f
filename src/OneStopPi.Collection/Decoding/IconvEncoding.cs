using System.Runtime.InteropServices;
using System.Text;

namespace OneStopPi.Collection.Decoding;

/// <summary>
/// A legacy charset a printer declares (Shift_JIS, EUC-KR, GBK, Big5, ISO-8859-5, ...), decoded by glibc's
/// iconv(3). The agent runs on Debian, whose libc6 always ships these converters (gconv modules); .NET's own
/// tables for them (System.Text.Encoding.CodePages) would add 0.7 MB to the appliance binary for text a
/// few devices send (docs/benchmarks.md, "Binary size"). Decoding only. Bytes the charset cannot map become
/// U+FFFD, as with .NET's encodings; when iconv does not know the charset at all, <see cref="TryCreate"/>
/// says so and the caller keeps its fallback (Latin-1).
/// </summary>
internal sealed partial class IconvEncoding : Encoding
{
    private const int Eilseq = 84;   // Linux errno values (asm-generic/errno-base.h, errno.h)
    private const int Einval = 22;
    private const int E2big = 7;

    private readonly string _iconvName;

    private IconvEncoding(string iconvName) => _iconvName = iconvName;

    public override string WebName => _iconvName.ToLowerInvariant();

    /// <summary>The charset by its iconv name, or null when this system's iconv cannot convert from it.</summary>
    public static IconvEncoding? TryCreate(string iconvName)
    {
        nint converter = IconvOpen("UTF-16LE", iconvName);
        if (converter == -1)
        {
            return null;
        }

        _ = IconvClose(converter);
        return new IconvEncoding(iconvName);
    }

    public override int GetByteCount(char[] chars, int index, int count) => throw new NotSupportedException($"{_iconvName} is decoded only.");

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) =>
        throw new NotSupportedException($"{_iconvName} is decoded only.");

    public override int GetCharCount(byte[] bytes, int index, int count) => Decode(bytes.AsSpan(index, count)).Length;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        string text = Decode(bytes.AsSpan(byteIndex, byteCount));
        text.CopyTo(chars.AsSpan(charIndex));
        return text.Length;
    }

    public override string GetString(byte[] bytes, int index, int count) => Decode(bytes.AsSpan(index, count));

    // A multi-byte charset never yields more UTF-16 units than bytes; a few single-byte ones map a byte to two.
    public override int GetMaxCharCount(int byteCount) => (byteCount + 1) * 2;

    public override int GetMaxByteCount(int charCount) => (charCount + 1) * 4;

    private unsafe string Decode(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return string.Empty;
        }

        nint converter = IconvOpen("UTF-16LE", _iconvName);
        if (converter == -1)
        {
            throw new InvalidOperationException($"iconv cannot convert from {_iconvName} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            char[] output = new char[GetMaxCharCount(input.Length)];
            int written = 0;
            fixed (byte* inputStart = input)
            fixed (char* outputStart = output)
            {
                byte* inPointer = inputStart;
                nuint inLeft = (nuint)input.Length;
                while (inLeft > 0)
                {
                    byte* outPointer = (byte*)(outputStart + written);
                    nuint outLeft = (nuint)((output.Length - written) * sizeof(char));
                    nuint result = Iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft);
                    int error = result == nuint.MaxValue ? Marshal.GetLastPInvokeError() : 0;
                    written = (int)((char*)outPointer - outputStart);
                    if (result != nuint.MaxValue)
                    {
                        break;
                    }

                    if (error == E2big || output.Length - written < 2)
                    {
                        break;   // cannot happen with GetMaxCharCount's room; cut rather than loop
                    }

                    output[written++] = '\uFFFD';
                    if (error == Einval)
                    {
                        break;   // a truncated sequence at the end
                    }

                    if (error != Eilseq)
                    {
                        throw new InvalidOperationException($"iconv from {_iconvName} failed (errno {error})");
                    }

                    inPointer++;
                    inLeft--;
                }
            }

            return new string(output, 0, written);
        }
        finally
        {
            _ = IconvClose(converter);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "iconv_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint IconvOpen(string toCode, string fromCode);

    [LibraryImport("libc.so.6", EntryPoint = "iconv", SetLastError = true)]
    private static unsafe partial nuint Iconv(nint converter, byte** input, nuint* inputLeft, byte** output, nuint* outputLeft);

    [LibraryImport("libc.so.6", EntryPoint = "iconv_close")]
    private static partial int IconvClose(nint converter);
}
