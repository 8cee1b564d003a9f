using System.Security.Cryptography;

namespace OneStopPi.Snmp.Security;

/// <summary>
/// The USM message authentication code: HMAC over the whole serialized message with the
/// msgAuthenticationParameters octets set to zero, truncated (RFC 3414 6.3.1 / 7.3.1,
/// RFC 7860 section 4.2.1).
/// </summary>
public static class UsmAuthentication
{
    /// <summary>
    /// Length of msgAuthenticationParameters: 12 for HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414
    /// 6.3.1, 7.3.1); 16/24/32/48 for SHA-224/256/384/512 (RFC 7860 section 4.2).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="auth"/> is <see cref="AuthProtocol.None"/> or unknown.</exception>
    public static int MacLength(AuthProtocol auth) => auth switch
    {
        AuthProtocol.Md5 => 12,
        AuthProtocol.Sha1 => 12,
        AuthProtocol.Sha224 => 16,
        AuthProtocol.Sha256 => 24,
        AuthProtocol.Sha384 => 32,
        AuthProtocol.Sha512 => 48,
        _ => throw new ArgumentException($"Authentication protocol {auth} has no MAC.", nameof(auth)),
    };

    /// <summary>
    /// Computes the MAC of <paramref name="wholeMessage"/> (serialized with its
    /// msgAuthenticationParameters zero-filled, RFC 3414 6.3.1 step 1) and writes exactly
    /// <see cref="MacLength"/> octets to the start of <paramref name="macDestination"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a localized key of this protocol, or the destination is too short.</exception>
    public static void Sign(AuthProtocol auth, ReadOnlySpan<byte> localizedKey, ReadOnlySpan<byte> wholeMessage, Span<byte> macDestination)
    {
        int macLength = MacLength(auth);
        if (macDestination.Length < macLength)
        {
            throw new ArgumentException($"The MAC destination holds {macDestination.Length} octets; {auth} needs {macLength}.", nameof(macDestination));
        }

        Span<byte> full = stackalloc byte[UsmHash.MaxDigestLength];
        ComputeFullMac(auth, localizedKey, wholeMessage, full);
        full[..macLength].CopyTo(macDestination);
        CryptographicOperations.ZeroMemory(full);
    }

    /// <summary>
    /// Checks a received MAC (RFC 3414 6.3.2 / 7.3.2, RFC 7860 4.2.2): recomputes it over the
    /// message whose msgAuthenticationParameters were zeroed by the caller and compares in
    /// constant time. A MAC of the wrong length is simply not authentic.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a localized key of this protocol.</exception>
    public static bool Verify(AuthProtocol auth, ReadOnlySpan<byte> localizedKey, ReadOnlySpan<byte> wholeMessageWithZeroedMac, ReadOnlySpan<byte> receivedMac)
    {
        int macLength = MacLength(auth);
        Span<byte> full = stackalloc byte[UsmHash.MaxDigestLength];
        ComputeFullMac(auth, localizedKey, wholeMessageWithZeroedMac, full);

        // RFC 3414 6.3.2 step 1: the parameter must be exactly 12 (RFC 7860: the MAC length) octets.
        bool ok = receivedMac.Length == macLength
            && CryptographicOperations.FixedTimeEquals(full[..macLength], receivedMac);
        CryptographicOperations.ZeroMemory(full);
        return ok;
    }

    private static void ComputeFullMac(AuthProtocol auth, ReadOnlySpan<byte> localizedKey, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        int keyLength = UsmHash.DigestLength(auth);
        if (localizedKey.Length != keyLength)
        {
            // RFC 3414 6.2 / 7.2 and RFC 7860 4.1: the authKey is exactly one digest long.
            throw new ArgumentException($"A localized {auth} key is {keyLength} octets; got {localizedKey.Length}.", nameof(localizedKey));
        }

        UsmHash.Hmac(auth, localizedKey, message, destination);
    }
}
