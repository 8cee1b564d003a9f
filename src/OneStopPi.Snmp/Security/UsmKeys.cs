using System.Security.Cryptography;
using System.Text;

namespace OneStopPi.Snmp.Security;

/// <summary>
/// USM key derivation: password-to-key (RFC 3414 A.2, RFC 7860 section 4.1), key
/// localization (RFC 3414 section 2.6) and the key extensions that DES/3DES/AES privacy keys
/// need (RFC 3414 8.1.1.1, draft-reeder-snmpv3-usm-3desede-00, RFC 3826 3.1.2.1,
/// draft-blumenthal-aes-usm-04 3.1.2.1).
/// </summary>
/// <remarks>
/// Passwords are taken as given. RFC 3414 section 11.2 says a password SHOULD be at least 8
/// octets and net-snmp refuses shorter ones, but agents in the field have been configured with
/// short ones, so they are accepted here; only the empty password is refused, because the
/// password-to-key algorithm cycles over its octets and has nothing to cycle over.
/// String passwords are encoded as UTF-8, which is what net-snmp and pysnmp hash for ASCII.
/// </remarks>
public static class UsmKeys
{
    // RFC 3414 A.2.1/A.2.2: the password is repeated to fill 1 MiB (2^20 octets) before hashing.
    private const int ExpansionLength = 1024 * 1024;

    /// <summary>
    /// Turns a password into the non-localized key Ku: H(first 1 MiB of password repeated)
    /// (RFC 3414 A.2.1 for MD5, A.2.2 for SHA-1, RFC 7860 section 4.1 for SHA-2 with the
    /// full digest as key). The result has the digest length of <paramref name="auth"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The password is empty or <paramref name="auth"/> is <see cref="AuthProtocol.None"/>.</exception>
    public static byte[] PasswordToKey(AuthProtocol auth, ReadOnlySpan<byte> password)
    {
        if (password.IsEmpty)
        {
            throw new ArgumentException("A USM password must not be empty.", nameof(password));
        }

        byte[] key = new byte[UsmHash.DigestLength(auth)];
        UsmHash.HashRepeated(auth, password, ExpansionLength, key);
        return key;
    }

    /// <summary>
    /// Localizes a key to an authoritative engine: Kul = H(Ku || snmpEngineID || Ku)
    /// (RFC 3414 section 2.6 and A.2; RFC 7860 section 4.1).
    /// </summary>
    /// <exception cref="ArgumentException">The key or engine ID is empty, or <paramref name="auth"/> is <see cref="AuthProtocol.None"/>.</exception>
    public static byte[] Localize(AuthProtocol auth, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> engineId)
    {
        if (masterKey.IsEmpty)
        {
            throw new ArgumentException("The key to localize must not be empty.", nameof(masterKey));
        }

        if (engineId.IsEmpty)
        {
            // RFC 3411 section 5: SnmpEngineID is 5..32 octets; an empty one means discovery has
            // not happened yet (RFC 3414 section 4), and a key localized to it is useless.
            throw new ArgumentException("The snmpEngineID must not be empty; discover it first (RFC 3414 section 4).", nameof(engineId));
        }

        int inputLength = (masterKey.Length * 2) + engineId.Length;
        byte[] input = new byte[inputLength];
        try
        {
            masterKey.CopyTo(input);
            engineId.CopyTo(input.AsSpan(masterKey.Length));
            masterKey.CopyTo(input.AsSpan(masterKey.Length + engineId.Length));
            byte[] localized = new byte[UsmHash.DigestLength(auth)];
            UsmHash.Hash(auth, input, localized);
            return localized;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>The localized authentication key Kul for <paramref name="password"/> (RFC 3414 A.2).</summary>
    /// <exception cref="ArgumentException">The password or engine ID is empty, or <paramref name="auth"/> is <see cref="AuthProtocol.None"/>.</exception>
    public static byte[] LocalizedAuthKey(AuthProtocol auth, string password, ReadOnlySpan<byte> engineId)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        byte[] ku = PasswordToKey(auth, passwordBytes);
        try
        {
            return Localize(auth, ku, engineId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ku);
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>
    /// The number of octets a privacy protocol takes from the localized privacy key:
    /// DES 16 (8 key + 8 pre-IV, RFC 3414 8.1.1.1), 3DES 32 (24 key + 8 pre-IV,
    /// draft-reeder-snmpv3-usm-3desede-00 section 5.1.1.1), AES 16/24/32 (RFC 3826 3.1.2.1,
    /// draft-blumenthal-aes-usm-04 3.1.2.1).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="priv"/> is <see cref="PrivProtocol.None"/> or unknown.</exception>
    public static int PrivKeyLength(PrivProtocol priv) => priv switch
    {
        PrivProtocol.Des => 16,
        PrivProtocol.TripleDes => 32,
        PrivProtocol.Aes128 => 16,
        PrivProtocol.Aes192 or PrivProtocol.Aes192Reeder => 24,
        PrivProtocol.Aes256 or PrivProtocol.Aes256Reeder => 32,
        _ => throw new ArgumentException($"Privacy protocol {priv} has no key.", nameof(priv)),
    };

    /// <summary>
    /// The localized privacy key for <paramref name="privPassword"/>, extended if the hash of
    /// <paramref name="auth"/> is shorter than <paramref name="priv"/> needs, and cut to exactly
    /// <see cref="PrivKeyLength"/> octets (RFC 3414 8.1.1.1 / RFC 3826 3.1.2.1: the first octets).
    /// </summary>
    /// <remarks>
    /// The two extensions differ only when the digest is shorter than the key, i.e. MD5 or SHA-1
    /// with 3DES, AES-192 or AES-256; with a digest at least as long both just truncate.
    /// <list type="bullet">
    /// <item><see cref="PrivProtocol.Aes192"/>/<see cref="PrivProtocol.Aes256"/> (Blumenthal,
    /// draft-blumenthal-aes-usm-04 section 3.1.2.1): Kul = Kul || H(Kul), repeated.</item>
    /// <item><see cref="PrivProtocol.TripleDes"/>, <see cref="PrivProtocol.Aes192Reeder"/>,
    /// <see cref="PrivProtocol.Aes256Reeder"/> (draft-reeder-snmpv3-usm-3desede-00 section 2.1,
    /// "chaining of the password-to-key algorithm"): the previous localized output is fed back
    /// into password-to-key as if it were the password, localized again and appended.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ArgumentException">Empty password or engine ID, or a <c>None</c> protocol.</exception>
    public static byte[] LocalizedPrivKey(AuthProtocol auth, PrivProtocol priv, string privPassword, ReadOnlySpan<byte> engineId)
    {
        ArgumentNullException.ThrowIfNull(privPassword);
        byte[] passwordBytes = Encoding.UTF8.GetBytes(privPassword);
        byte[] ku = PasswordToKey(auth, passwordBytes);
        try
        {
            return LocalizedPrivKeyFromMaster(auth, priv, ku, engineId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ku);
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>
    /// As <see cref="LocalizedPrivKey"/>, from the master key Ku (the password-to-key output), so a
    /// caller serving many engines with one password runs the 1 MiB expansion once.
    /// </summary>
    public static byte[] LocalizedPrivKeyFromMaster(AuthProtocol auth, PrivProtocol priv, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> engineId)
    {
        int needed = PrivKeyLength(priv);
        byte[] kul = Localize(auth, masterKey, engineId);
        int digest = kul.Length;
        if (digest >= needed)
        {
            byte[] exact = kul.AsSpan(0, needed).ToArray();
            CryptographicOperations.ZeroMemory(kul);
            return exact;
        }

        // Extension. Every supported (auth, priv) pair needs at most one round (shortest digest
        // 16, longest key 32), but the loops are written for the general case.
        byte[] extended = new byte[((needed + digest - 1) / digest) * digest];
        kul.CopyTo(extended, 0);
        CryptographicOperations.ZeroMemory(kul);
        int filled = digest;
        bool reeder = priv is PrivProtocol.TripleDes or PrivProtocol.Aes192Reeder or PrivProtocol.Aes256Reeder;
        while (filled < needed)
        {
            if (reeder)
            {
                // draft-reeder-snmpv3-usm-3desede-00 section 2.1: "run the password-to-key
                // algorithm again with the previous output (instead of the passphrase) and the
                // same engineID". pysnmp feeds the whole accumulated key, which is the same
                // thing as long as only one round is needed.
                ReadOnlySpan<byte> previous = extended.AsSpan(filled - digest, digest);
                byte[] ku = PasswordToKey(auth, previous);
                byte[] next = Localize(auth, ku, engineId);
                next.CopyTo(extended, filled);
                CryptographicOperations.ZeroMemory(ku);
                CryptographicOperations.ZeroMemory(next);
            }
            else
            {
                // draft-blumenthal-aes-usm-04 section 3.1.2.1: Kul' = Kul || H(Kul), hashing
                // all the octets produced so far (as net-snmp and pysnmp do).
                UsmHash.Hash(auth, extended.AsSpan(0, filled), extended.AsSpan(filled, digest));
            }

            filled += digest;
        }

        byte[] result = extended.AsSpan(0, needed).ToArray();
        CryptographicOperations.ZeroMemory(extended);
        return result;
    }
}
