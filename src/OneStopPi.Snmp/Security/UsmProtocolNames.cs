namespace OneStopPi.Snmp.Security;

/// <summary>
/// Parses the protocol names people type: net-snmp's <c>-a</c>/<c>-x</c> spellings
/// ("SHA-256", "AES-192-C") and the compact CLI ones ("SHA256", "AES192C"), case-insensitive.
/// </summary>
public static class UsmProtocolNames
{
    /// <summary>
    /// MD5, SHA (= SHA1, SHA-1), SHA224, SHA256, SHA384, SHA512; '-' and '_' are ignored.
    /// </summary>
    public static bool TryParseAuth(string? name, out AuthProtocol auth)
    {
        auth = Normalize(name) switch
        {
            "MD5" => AuthProtocol.Md5,
            "SHA" or "SHA1" => AuthProtocol.Sha1,
            "SHA224" => AuthProtocol.Sha224,
            "SHA256" => AuthProtocol.Sha256,
            "SHA384" => AuthProtocol.Sha384,
            "SHA512" => AuthProtocol.Sha512,
            _ => AuthProtocol.None,
        };
        return auth != AuthProtocol.None;
    }

    /// <summary>
    /// DES, 3DES, AES (= AES128), AES192, AES256 (Blumenthal key extension, net-snmp "AES-192"),
    /// AES192C, AES256C (Reeder/Cisco key extension, net-snmp "AES-192-C"); '-' and '_' are ignored.
    /// </summary>
    public static bool TryParsePriv(string? name, out PrivProtocol priv)
    {
        priv = Normalize(name) switch
        {
            "DES" => PrivProtocol.Des,
            "3DES" or "3DESEDE" => PrivProtocol.TripleDes,
            "AES" or "AES128" => PrivProtocol.Aes128,
            "AES192" => PrivProtocol.Aes192,
            "AES256" => PrivProtocol.Aes256,
            "AES192C" => PrivProtocol.Aes192Reeder,
            "AES256C" => PrivProtocol.Aes256Reeder,
            _ => PrivProtocol.None,
        };
        return priv != PrivProtocol.None;
    }

    private static string Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return string.Empty;
        }

        Span<char> buffer = stackalloc char[Math.Min(name.Length, 32)];
        int length = 0;
        foreach (char c in name.AsSpan().Trim())
        {
            if (c is '-' or '_')
            {
                continue;
            }

            if (length == buffer.Length)
            {
                return string.Empty;
            }

            buffer[length++] = char.ToUpperInvariant(c);
        }

        return new string(buffer[..length]);
    }
}
