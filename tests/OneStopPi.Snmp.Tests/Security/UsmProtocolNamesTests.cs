using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Tests.Security;

[TestFixture]
public sealed class UsmProtocolNamesTests
{
    [TestCase("MD5", AuthProtocol.Md5)]
    [TestCase("md5", AuthProtocol.Md5)]
    [TestCase("SHA", AuthProtocol.Sha1)]
    [TestCase("sha1", AuthProtocol.Sha1)]
    [TestCase("SHA-1", AuthProtocol.Sha1)]
    [TestCase("SHA224", AuthProtocol.Sha224)]
    [TestCase("SHA-224", AuthProtocol.Sha224)]
    [TestCase("sha256", AuthProtocol.Sha256)]
    [TestCase("SHA-256", AuthProtocol.Sha256)]
    [TestCase("SHA384", AuthProtocol.Sha384)]
    [TestCase("SHA-512", AuthProtocol.Sha512)]
    [TestCase(" sha512 ", AuthProtocol.Sha512)]
    public void Auth_names(string name, AuthProtocol expected)
    {
        Assert.That(UsmProtocolNames.TryParseAuth(name, out AuthProtocol auth), Is.True);
        Assert.That(auth, Is.EqualTo(expected));
    }

    [TestCase("DES", PrivProtocol.Des)]
    [TestCase("des", PrivProtocol.Des)]
    [TestCase("3DES", PrivProtocol.TripleDes)]
    [TestCase("AES", PrivProtocol.Aes128)]
    [TestCase("AES128", PrivProtocol.Aes128)]
    [TestCase("AES-128", PrivProtocol.Aes128)]
    [TestCase("AES192", PrivProtocol.Aes192)]
    [TestCase("AES-192", PrivProtocol.Aes192)]
    [TestCase("aes256", PrivProtocol.Aes256)]
    [TestCase("AES-256", PrivProtocol.Aes256)]
    [TestCase("AES192C", PrivProtocol.Aes192Reeder)]
    [TestCase("AES-192-C", PrivProtocol.Aes192Reeder)]
    [TestCase("aes256c", PrivProtocol.Aes256Reeder)]
    [TestCase("AES-256-C", PrivProtocol.Aes256Reeder)]
    public void Priv_names(string name, PrivProtocol expected)
    {
        Assert.That(UsmProtocolNames.TryParsePriv(name, out PrivProtocol priv), Is.True);
        Assert.That(priv, Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("none")]
    [TestCase("SHA3")]
    [TestCase("SHA-2")]
    [TestCase("HMAC-MD5-96-AND-A-VERY-LONG-TAIL-THAT-OVERFLOWS")]
    public void Unknown_auth_names(string? name)
    {
        Assert.That(UsmProtocolNames.TryParseAuth(name, out AuthProtocol auth), Is.False);
        Assert.That(auth, Is.EqualTo(AuthProtocol.None));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("AES512")]
    [TestCase("blowfish")]
    [TestCase("AES-192-B")]
    public void Unknown_priv_names(string? name)
    {
        Assert.That(UsmProtocolNames.TryParsePriv(name, out PrivProtocol priv), Is.False);
        Assert.That(priv, Is.EqualTo(PrivProtocol.None));
    }
}
