using System.Text;

namespace OneStopPi.Collection.Decoding;

/// <summary>
/// HP Roman-8 (IANA MIBenum 2004), the charset many HP-derived printer agents declare in
/// prtLocalizationCharacterSet: ASCII below 0xA0, HP's table above. Decoding only.
/// </summary>
internal sealed class Roman8Encoding : Encoding
{
    public static readonly Roman8Encoding Instance = new();

    // 0xA0..0xFF (0xFF is undefined).
    private const string Upper =
        "\u00A0\u00C0\u00C2\u00C8\u00CA\u00CB\u00CE\u00CF\u00B4\u02CB\u02C6\u00A8\u02DC\u00D9\u00DB\u20A4" +
        "\u00AF\u00DD\u00FD\u00B0\u00C7\u00E7\u00D1\u00F1\u00A1\u00BF\u00A4\u00A3\u00A5\u00A7\u0192\u00A2" +
        "\u00E2\u00EA\u00F4\u00FB\u00E1\u00E9\u00F3\u00FA\u00E0\u00E8\u00F2\u00F9\u00E4\u00EB\u00F6\u00FC" +
        "\u00C5\u00EE\u00D8\u00C6\u00E5\u00ED\u00F8\u00E6\u00C4\u00EC\u00D6\u00DC\u00C9\u00EF\u00DF\u00D4" +
        "\u00C1\u00C3\u00E3\u00D0\u00F0\u00CD\u00CC\u00D3\u00D2\u00D5\u00F5\u0160\u0161\u00DA\u0178\u00FF" +
        "\u00DE\u00FE\u00B7\u00B5\u00B6\u00BE\u2014\u00BC\u00BD\u00AA\u00BA\u00AB\u25A0\u00BB\u00B1\uFFFD";

    public override string WebName => "hp-roman8";

    public override int GetByteCount(char[] chars, int index, int count) => throw new NotSupportedException("Roman-8 is decoded only.");

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) => throw new NotSupportedException("Roman-8 is decoded only.");

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        for (int i = 0; i < byteCount; i++)
        {
            byte b = bytes[byteIndex + i];
            chars[charIndex + i] = b < 0xA0 ? (char)b : Upper[b - 0xA0];
        }

        return byteCount;
    }

    public override int GetMaxByteCount(int charCount) => charCount;

    public override int GetMaxCharCount(int byteCount) => byteCount;
}
