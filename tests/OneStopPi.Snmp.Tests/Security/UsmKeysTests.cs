using System.Text;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Tests.Security;

[TestFixture]
public sealed class UsmKeysTests
{
    // RFC 3414 A.3: engineID 00 00 00 00 00 00 00 00 00 00 00 02, password "maplesyrup".
    private static readonly byte[] Rfc3414EngineId = Convert.FromHexString("000000000000000000000002");

    public static IEnumerable<object[]> AuthKeyVectors => UsmPysnmpVectors.AuthKeys;

    public static IEnumerable<object[]> PrivKeyVectors => UsmPysnmpVectors.PrivKeys;

    [Test]
    public void Md5_matches_RFC3414_A_3_1()
    {
        // RFC 3414 A.3.1, copied from the RFC text.
        byte[] ku = UsmKeys.PasswordToKey(AuthProtocol.Md5, "maplesyrup"u8);
        Assert.That(Convert.ToHexString(ku), Is.EqualTo("9FAF3283884E92834EBC9847D8EDD963"));

        byte[] kul = UsmKeys.Localize(AuthProtocol.Md5, ku, Rfc3414EngineId);
        Assert.That(Convert.ToHexString(kul), Is.EqualTo("526F5EED9FCCE26F8964C2930787D82B"));
    }

    [Test]
    public void Sha1_matches_RFC3414_A_3_2()
    {
        // RFC 3414 A.3.2, copied from the RFC text.
        byte[] ku = UsmKeys.PasswordToKey(AuthProtocol.Sha1, "maplesyrup"u8);
        Assert.That(Convert.ToHexString(ku), Is.EqualTo("9FB5CC0381497B3793528939FF788D5D79145211"));

        byte[] kul = UsmKeys.Localize(AuthProtocol.Sha1, ku, Rfc3414EngineId);
        Assert.That(Convert.ToHexString(kul), Is.EqualTo("6695FEBC9288E36282235FC7151F128497B38F3F"));
    }

    [TestCaseSource(nameof(AuthKeyVectors))]
    public void Auth_keys_match_pysnmp(string auth, string kuHex, string kulHex)
    {
        AuthProtocol protocol = Enum.Parse<AuthProtocol>(auth);
        byte[] engineId = Convert.FromHexString(UsmPysnmpVectors.EngineIdHex);

        byte[] ku = UsmKeys.PasswordToKey(protocol, Encoding.UTF8.GetBytes(UsmPysnmpVectors.Password));
        Assert.That(Convert.ToHexString(ku), Is.EqualTo(kuHex));
        Assert.That(Convert.ToHexString(UsmKeys.Localize(protocol, ku, engineId)), Is.EqualTo(kulHex));
        Assert.That(Convert.ToHexString(UsmKeys.LocalizedAuthKey(protocol, UsmPysnmpVectors.Password, engineId)), Is.EqualTo(kulHex));
    }

    [TestCaseSource(nameof(PrivKeyVectors))]
    public void Priv_keys_including_extensions_match_pysnmp(string auth, string priv, string keyHex)
    {
        byte[] key = UsmKeys.LocalizedPrivKey(
            Enum.Parse<AuthProtocol>(auth),
            Enum.Parse<PrivProtocol>(priv),
            UsmPysnmpVectors.PrivPassword,
            Convert.FromHexString(UsmPysnmpVectors.EngineIdHex));

        Assert.That(Convert.ToHexString(key), Is.EqualTo(keyHex));
        Assert.That(key, Has.Length.EqualTo(UsmKeys.PrivKeyLength(Enum.Parse<PrivProtocol>(priv))));
    }

    [TestCase(AuthProtocol.Md5, PrivProtocol.Aes192, PrivProtocol.Aes192Reeder)]
    [TestCase(AuthProtocol.Md5, PrivProtocol.Aes256, PrivProtocol.Aes256Reeder)]
    [TestCase(AuthProtocol.Sha1, PrivProtocol.Aes192, PrivProtocol.Aes192Reeder)]
    [TestCase(AuthProtocol.Sha1, PrivProtocol.Aes256, PrivProtocol.Aes256Reeder)]
    public void Extensions_differ_when_the_hash_is_short_but_share_the_localized_prefix(AuthProtocol auth, PrivProtocol blumenthal, PrivProtocol reeder)
    {
        byte[] engineId = Convert.FromHexString(UsmPysnmpVectors.EngineIdHex);
        byte[] a = UsmKeys.LocalizedPrivKey(auth, blumenthal, "privacy-maple", engineId);
        byte[] b = UsmKeys.LocalizedPrivKey(auth, reeder, "privacy-maple", engineId);
        byte[] kul = UsmKeys.LocalizedAuthKey(auth, "privacy-maple", engineId);

        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(a.AsSpan(0, kul.Length).ToArray(), Is.EqualTo(kul));
        Assert.That(b.AsSpan(0, kul.Length).ToArray(), Is.EqualTo(kul));
    }

    [TestCase(AuthProtocol.Sha256, PrivProtocol.Aes256, PrivProtocol.Aes256Reeder)]
    [TestCase(AuthProtocol.Sha224, PrivProtocol.Aes192, PrivProtocol.Aes192Reeder)]
    [TestCase(AuthProtocol.Sha512, PrivProtocol.Aes256, PrivProtocol.Aes256Reeder)]
    public void Extensions_agree_when_the_hash_is_long_enough(AuthProtocol auth, PrivProtocol blumenthal, PrivProtocol reeder)
    {
        byte[] engineId = Convert.FromHexString(UsmPysnmpVectors.EngineIdHex);
        Assert.That(
            UsmKeys.LocalizedPrivKey(auth, blumenthal, "privacy-maple", engineId),
            Is.EqualTo(UsmKeys.LocalizedPrivKey(auth, reeder, "privacy-maple", engineId)));
    }

    [Test]
    public void Short_passwords_are_accepted()
    {
        // RFC 3414 11.2 only says SHOULD be >= 8 octets; net-snmp refuses, we accept.
        // Expected: pysnmp localkey.hashPassphrase('abc', hashlib.sha1), computed on the dev machine.
        Assert.That(
            Convert.ToHexString(UsmKeys.PasswordToKey(AuthProtocol.Sha1, "abc"u8)),
            Is.EqualTo("A73B9F27FAA08A02FF4D3FE25DCC0249F9D903A0"));
    }

    [Test]
    public void Passwords_longer_than_the_expansion_chunk_work()
    {
        // Exercises the path where one chunk holds a single copy of the password.
        byte[] password = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        byte[] expected = System.Security.Cryptography.SHA256.HashData(
            Enumerable.Range(0, 1024 * 1024).Select(i => password[i % password.Length]).ToArray());
        Assert.That(UsmKeys.PasswordToKey(AuthProtocol.Sha256, password), Is.EqualTo(expected));
    }

    [Test]
    public void String_passwords_are_UTF8()
    {
        byte[] engineId = Convert.FromHexString(UsmPysnmpVectors.EngineIdHex);
        byte[] viaBytes = UsmKeys.Localize(AuthProtocol.Md5, UsmKeys.PasswordToKey(AuthProtocol.Md5, "pässwörd1"u8), engineId);
        Assert.That(UsmKeys.LocalizedAuthKey(AuthProtocol.Md5, "pässwörd1", engineId), Is.EqualTo(viaBytes));
    }

    [Test]
    public void Bad_arguments_are_refused()
    {
        byte[] engineId = Convert.FromHexString(UsmPysnmpVectors.EngineIdHex);
        Assert.Multiple(() =>
        {
            Assert.That(() => UsmKeys.PasswordToKey(AuthProtocol.Md5, ReadOnlySpan<byte>.Empty), Throws.ArgumentException);
            Assert.That(() => UsmKeys.LocalizedAuthKey(AuthProtocol.Sha1, string.Empty, engineId), Throws.ArgumentException);
            Assert.That(() => UsmKeys.LocalizedPrivKey(AuthProtocol.Sha1, PrivProtocol.Aes128, string.Empty, engineId), Throws.ArgumentException);
            Assert.That(() => UsmKeys.PasswordToKey(AuthProtocol.None, "maplesyrup"u8), Throws.ArgumentException);
            Assert.That(() => UsmKeys.LocalizedPrivKey(AuthProtocol.Sha1, PrivProtocol.None, "maplesyrup", engineId), Throws.ArgumentException);
            Assert.That(() => UsmKeys.LocalizedAuthKey(AuthProtocol.Sha1, "maplesyrup", ReadOnlySpan<byte>.Empty), Throws.ArgumentException);
            Assert.That(() => UsmKeys.LocalizedAuthKey(AuthProtocol.Sha1, null!, engineId), Throws.ArgumentNullException);
        });
    }

    [TestCase(PrivProtocol.Des, 16)]
    [TestCase(PrivProtocol.TripleDes, 32)]
    [TestCase(PrivProtocol.Aes128, 16)]
    [TestCase(PrivProtocol.Aes192, 24)]
    [TestCase(PrivProtocol.Aes256, 32)]
    [TestCase(PrivProtocol.Aes192Reeder, 24)]
    [TestCase(PrivProtocol.Aes256Reeder, 32)]
    public void PrivKeyLength_table(PrivProtocol priv, int length) =>
        Assert.That(UsmKeys.PrivKeyLength(priv), Is.EqualTo(length));
}
