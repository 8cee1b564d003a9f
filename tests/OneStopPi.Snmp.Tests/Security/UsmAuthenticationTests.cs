using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Tests.Security;

[TestFixture]
public sealed class UsmAuthenticationTests
{
    public static IEnumerable<object[]> MacVectors => UsmPysnmpVectors.Macs;

    [TestCase(AuthProtocol.Md5, 12)]
    [TestCase(AuthProtocol.Sha1, 12)]
    [TestCase(AuthProtocol.Sha224, 16)]
    [TestCase(AuthProtocol.Sha256, 24)]
    [TestCase(AuthProtocol.Sha384, 32)]
    [TestCase(AuthProtocol.Sha512, 48)]
    public void MacLength_table_of_RFC3414_and_RFC7860(AuthProtocol auth, int length) =>
        Assert.That(UsmAuthentication.MacLength(auth), Is.EqualTo(length));

    [Test]
    public void MacLength_of_None_throws() =>
        Assert.That(() => UsmAuthentication.MacLength(AuthProtocol.None), Throws.ArgumentException);

    [TestCaseSource(nameof(MacVectors))]
    public void Sign_matches_pysnmp_and_verifies(string auth, string messageHex, string macHex)
    {
        AuthProtocol protocol = Enum.Parse<AuthProtocol>(auth);
        byte[] key = Key(protocol);
        byte[] message = Convert.FromHexString(messageHex);
        byte[] mac = new byte[UsmAuthentication.MacLength(protocol)];

        UsmAuthentication.Sign(protocol, key, message, mac);

        Assert.That(Convert.ToHexString(mac), Is.EqualTo(macHex));
        Assert.That(UsmAuthentication.Verify(protocol, key, message, mac), Is.True);
    }

    [TestCaseSource(nameof(MacVectors))]
    public void Verify_rejects_any_flipped_bit(string auth, string messageHex, string macHex)
    {
        AuthProtocol protocol = Enum.Parse<AuthProtocol>(auth);
        byte[] key = Key(protocol);
        byte[] message = Convert.FromHexString(messageHex);
        byte[] mac = Convert.FromHexString(macHex);

        Assert.Multiple(() =>
        {
            for (int bit = 0; bit < mac.Length * 8; bit += 5)
            {
                byte[] bad = (byte[])mac.Clone();
                bad[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.That(UsmAuthentication.Verify(protocol, key, message, bad), Is.False, $"MAC bit {bit}");
            }

            byte[] badMessage = (byte[])message.Clone();
            badMessage[^1] ^= 0x01;
            Assert.That(UsmAuthentication.Verify(protocol, key, badMessage, mac), Is.False, "message bit");

            byte[] badKey = (byte[])key.Clone();
            badKey[0] ^= 0x80;
            Assert.That(UsmAuthentication.Verify(protocol, badKey, message, mac), Is.False, "key bit");

            Assert.That(UsmAuthentication.Verify(protocol, key, message, mac.AsSpan(0, mac.Length - 1)), Is.False, "short MAC");
            Assert.That(UsmAuthentication.Verify(protocol, key, message, [.. mac, 0]), Is.False, "long MAC");
        });
    }

    [Test]
    public void Sign_writes_only_the_mac_length()
    {
        byte[] key = Key(AuthProtocol.Sha256);
        byte[] destination = Enumerable.Repeat((byte)0xEE, 40).ToArray();
        UsmAuthentication.Sign(AuthProtocol.Sha256, key, "message"u8, destination);
        Assert.That(destination.Skip(24), Is.All.EqualTo(0xEE));
        Assert.That(UsmAuthentication.Verify(AuthProtocol.Sha256, key, "message"u8, destination.AsSpan(0, 24)), Is.True);
    }

    [Test]
    public void Bad_arguments_throw()
    {
        byte[] md5Key = Key(AuthProtocol.Md5);
        Assert.Multiple(() =>
        {
            Assert.That(() => UsmAuthentication.Sign(AuthProtocol.Md5, md5Key, "m"u8, new byte[11]), Throws.ArgumentException);
            Assert.That(() => UsmAuthentication.Sign(AuthProtocol.Sha1, md5Key, "m"u8, new byte[12]), Throws.ArgumentException, "16-octet key for SHA-1");
            Assert.That(() => UsmAuthentication.Verify(AuthProtocol.None, md5Key, "m"u8, new byte[12]), Throws.ArgumentException);
        });
    }

    private static byte[] Key(AuthProtocol auth) =>
        UsmKeys.LocalizedAuthKey(auth, UsmPysnmpVectors.Password, Convert.FromHexString(UsmPysnmpVectors.EngineIdHex));
}
