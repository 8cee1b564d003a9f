using System.Text;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Tests.Security;

/// <summary>The managed SHA-224 behind usmHMAC128SHA224AuthProtocol (the BCL has none).</summary>
[TestFixture]
public sealed class Sha224Tests
{
    // FIPS 180-2 appendix B examples / NIST SHA-224 examples (also checked against Python's hashlib).
    [TestCase("", "D14A028C2A3A2BC9476102BB288234C415A2B01F828EA62AC5B3E42F")]
    [TestCase("abc", "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7")]
    [TestCase("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "75388B16512776CC5DBA5DA1FD890150B0C6455CB4F58B1952522525")]
    public void Known_digests(string message, string expected)
    {
        byte[] digest = new byte[Sha224.HashSizeInBytes];
        Sha224.HashData(Encoding.ASCII.GetBytes(message), digest);
        Assert.That(Convert.ToHexString(digest), Is.EqualTo(expected));
    }

    [Test]
    public void Million_a_in_odd_sized_appends()
    {
        var sha = new Sha224();
        byte[] chunk = Enumerable.Repeat((byte)'a', 999).ToArray();
        int left = 1_000_000;
        while (left > 0)
        {
            int n = Math.Min(left, chunk.Length);
            sha.Append(chunk.AsSpan(0, n));
            left -= n;
        }

        byte[] digest = new byte[Sha224.HashSizeInBytes];
        sha.GetHashAndReset(digest);
        Assert.That(Convert.ToHexString(digest), Is.EqualTo("20794655980C91D8BBB4C1EA97618A4BF03F42581948B2EE4EE7AD67"));
    }

    [Test]
    public void Padding_boundaries_match_one_shot()
    {
        // Lengths around 55/56/64 octets switch between one and two padding blocks.
        for (int n = 50; n <= 130; n++)
        {
            byte[] data = Enumerable.Range(0, n).Select(i => (byte)i).ToArray();
            byte[] oneShot = new byte[28];
            Sha224.HashData(data, oneShot);

            var sha = new Sha224();
            sha.Append(data.AsSpan(0, n / 3));
            sha.Append(data.AsSpan(n / 3));
            byte[] split = new byte[28];
            sha.GetHashAndReset(split);
            Assert.That(split, Is.EqualTo(oneShot), $"length {n}");
        }
    }

    // RFC 4231 test cases 1, 2 and 6 (HMAC-SHA-224).
    [TestCase("0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B", "Hi There", "896FB1128ABBDF196832107CD49DF33F47B4B1169912BA4F53684B22")]
    [TestCase("4A656665", "what do ya want for nothing?", "A30E01098BC6DBBF45690F3A7E9E6D0F8BBEA2A39E6148008FD05E44")]
    [TestCase(null, "Test Using Larger Than Block-Size Key - Hash Key First", "95E9A0DB962095ADAEBE9B2D6F0DBCE2D499F112F2D2B7273FA6870E")]
    public void Rfc4231_hmac(string? keyHex, string data, string expected)
    {
        byte[] key = keyHex is null ? Enumerable.Repeat((byte)0xAA, 131).ToArray() : Convert.FromHexString(keyHex);
        byte[] mac = new byte[Sha224.HashSizeInBytes];
        Sha224.HmacData(key, Encoding.ASCII.GetBytes(data), mac);
        Assert.That(Convert.ToHexString(mac), Is.EqualTo(expected));
    }
}
