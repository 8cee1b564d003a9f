using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Tests.Security;

[TestFixture]
public sealed class UsmPrivacyTests
{
    private const uint Boots = UsmPysnmpVectors.EngineBoots;
    private const uint Time = UsmPysnmpVectors.EngineTime;

    public static IEnumerable<object[]> CiphertextVectors => UsmPysnmpVectors.Ciphertexts;

    [TestCaseSource(nameof(CiphertextVectors))]
    public void Encrypt_matches_pysnmp(string auth, string priv, int length, string privParametersHex, string ciphertextHex)
    {
        PrivProtocol protocol = Enum.Parse<PrivProtocol>(priv);
        byte[] key = Key(auth, protocol);
        var privacy = new UsmPrivacy(IsDes(protocol) ? UsmPysnmpVectors.DesSaltCounter : UsmPysnmpVectors.AesSaltCounter);

        byte[] ciphertext = privacy.Encrypt(protocol, key, Boots, Time, UsmPysnmpVectors.Plaintext(length), out byte[] privParameters);

        Assert.That(Convert.ToHexString(privParameters), Is.EqualTo(privParametersHex));
        Assert.That(Convert.ToHexString(ciphertext), Is.EqualTo(ciphertextHex));
    }

    [TestCaseSource(nameof(CiphertextVectors))]
    public void Decrypt_reads_pysnmp_ciphertext(string auth, string priv, int length, string privParametersHex, string ciphertextHex)
    {
        PrivProtocol protocol = Enum.Parse<PrivProtocol>(priv);
        byte[] plaintext = UsmPrivacy.Decrypt(
            protocol, Key(auth, protocol), Boots, Time, Convert.FromHexString(privParametersHex), Convert.FromHexString(ciphertextHex));

        // DES/3DES keep the sender's padding (the BER length delimits the scopedPDU); AES has none.
        int expectedLength = IsDes(protocol) ? (length + 7) / 8 * 8 : length;
        Assert.That(plaintext, Has.Length.EqualTo(expectedLength));
        Assert.That(plaintext.AsSpan(0, length).ToArray(), Is.EqualTo(UsmPysnmpVectors.Plaintext(length)));
    }

    [TestCase(PrivProtocol.Des)]
    [TestCase(PrivProtocol.TripleDes)]
    [TestCase(PrivProtocol.Aes128)]
    [TestCase(PrivProtocol.Aes192)]
    [TestCase(PrivProtocol.Aes256)]
    [TestCase(PrivProtocol.Aes192Reeder)]
    [TestCase(PrivProtocol.Aes256Reeder)]
    public void Round_trip_and_fresh_salt_per_message(PrivProtocol priv)
    {
        byte[] key = Key("Sha1", priv);
        var privacy = new UsmPrivacy(41);
        byte[] plaintext = UsmPysnmpVectors.Plaintext(333);

        byte[] first = privacy.Encrypt(priv, key, Boots, Time, plaintext, out byte[] salt1);
        byte[] second = privacy.Encrypt(priv, key, Boots, Time, plaintext, out byte[] salt2);

        Assert.Multiple(() =>
        {
            Assert.That(salt1, Has.Length.EqualTo(UsmPrivacy.PrivParametersLength));
            Assert.That(salt2, Is.Not.EqualTo(salt1));
            Assert.That(salt1[^1], Is.EqualTo(41));
            Assert.That(salt2[^1], Is.EqualTo(42));
            Assert.That(second, Is.Not.EqualTo(first));
            byte[] back = UsmPrivacy.Decrypt(priv, key, Boots, Time, salt2, second);
            Assert.That(back.AsSpan(0, plaintext.Length).ToArray(), Is.EqualTo(plaintext));
        });
    }

    [Test]
    public void Des_salt_is_engineBoots_then_low_32_bits_of_the_counter()
    {
        var privacy = new UsmPrivacy(0x1122334455667788);
        privacy.Encrypt(PrivProtocol.Des, Key("Md5", PrivProtocol.Des), 0xCAFEBABE, Time, [1, 2, 3], out byte[] salt);
        Assert.That(Convert.ToHexString(salt), Is.EqualTo("CAFEBABE55667788"));
    }

    [Test]
    public void Aes_salt_counter_wraps()
    {
        var privacy = new UsmPrivacy(ulong.MaxValue);
        byte[] key = Key("Sha1", PrivProtocol.Aes128);
        privacy.Encrypt(PrivProtocol.Aes128, key, Boots, Time, [1], out byte[] salt1);
        privacy.Encrypt(PrivProtocol.Aes128, key, Boots, Time, [1], out byte[] salt2);
        Assert.That(Convert.ToHexString(salt1), Is.EqualTo("FFFFFFFFFFFFFFFF"));
        Assert.That(Convert.ToHexString(salt2), Is.EqualTo("0000000000000000"));
    }

    [Test]
    public void Aes_iv_uses_engine_boots_and_time()
    {
        byte[] key = Key("Sha1", PrivProtocol.Aes128);
        byte[] a = new UsmPrivacy(5).Encrypt(PrivProtocol.Aes128, key, 1, 2, [0, 0, 0, 0], out _);
        byte[] b = new UsmPrivacy(5).Encrypt(PrivProtocol.Aes128, key, 1, 3, [0, 0, 0, 0], out _);
        byte[] c = new UsmPrivacy(5).Encrypt(PrivProtocol.Aes128, key, 2, 2, [0, 0, 0, 0], out _);
        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }

    [TestCase(PrivProtocol.Des, 0)]
    [TestCase(PrivProtocol.Des, 7)]
    [TestCase(PrivProtocol.TripleDes, 9)]
    [TestCase(PrivProtocol.Aes128, 0)]
    [TestCase(PrivProtocol.Aes256, 16)]
    [TestCase(PrivProtocol.Aes192Reeder, 7)]
    public void Decrypt_rejects_wrong_privParameters_length(PrivProtocol priv, int length)
    {
        Assert.That(
            () => UsmPrivacy.Decrypt(priv, Key("Sha1", priv), Boots, Time, new byte[length], new byte[32]),
            Throws.TypeOf<UsmDecryptionException>().With.Message.Contains("msgPrivacyParameters"));
    }

    [TestCase(PrivProtocol.Des, 7)]
    [TestCase(PrivProtocol.Des, 17)]
    [TestCase(PrivProtocol.TripleDes, 12)]
    [TestCase(PrivProtocol.TripleDes, 1)]
    public void Decrypt_rejects_cbc_ciphertext_not_a_multiple_of_8(PrivProtocol priv, int length)
    {
        Assert.That(
            () => UsmPrivacy.Decrypt(priv, Key("Sha1", priv), Boots, Time, new byte[8], new byte[length]),
            Throws.TypeOf<UsmDecryptionException>().With.Message.Contains("multiple of 8"));
    }

    [TestCase(PrivProtocol.Des)]
    [TestCase(PrivProtocol.Aes128)]
    public void Decrypt_rejects_empty_ciphertext(PrivProtocol priv)
    {
        Assert.That(
            () => UsmPrivacy.Decrypt(priv, Key("Sha1", priv), Boots, Time, new byte[8], ReadOnlySpan<byte>.Empty),
            Throws.TypeOf<UsmDecryptionException>());
    }

    [Test]
    public void Aes_decrypts_any_length()
    {
        // CFB is a stream mode (RFC 3826 3.1.4): odd lengths are legal ciphertexts.
        byte[] plain = UsmPrivacy.Decrypt(PrivProtocol.Aes128, Key("Sha1", PrivProtocol.Aes128), Boots, Time, new byte[8], new byte[13]);
        Assert.That(plain, Has.Length.EqualTo(13));
    }

    [Test]
    public void Encrypt_argument_errors()
    {
        var privacy = new UsmPrivacy(0);
        byte[] aesKey = Key("Sha1", PrivProtocol.Aes128);
        Assert.Multiple(() =>
        {
            Assert.That(() => privacy.Encrypt(PrivProtocol.None, aesKey, Boots, Time, [1], out _), Throws.ArgumentException);
            Assert.That(() => privacy.Encrypt(PrivProtocol.Aes256, aesKey, Boots, Time, [1], out _), Throws.ArgumentException, "16-octet key for AES-256");
            Assert.That(() => privacy.Encrypt(PrivProtocol.Aes128, aesKey, Boots, Time, [], out _), Throws.ArgumentException);
            Assert.That(() => UsmPrivacy.Decrypt(PrivProtocol.TripleDes, aesKey, Boots, Time, new byte[8], new byte[8]), Throws.ArgumentException);
        });
    }

    private static bool IsDes(PrivProtocol priv) => priv is PrivProtocol.Des or PrivProtocol.TripleDes;

    private static byte[] Key(string auth, PrivProtocol priv) =>
        UsmKeys.LocalizedPrivKey(
            Enum.Parse<AuthProtocol>(auth), priv, UsmPysnmpVectors.PrivPassword, Convert.FromHexString(UsmPysnmpVectors.EngineIdHex));
}
