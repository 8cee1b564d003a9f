namespace OneStopPi.Snmp.Security;

/// <summary>
/// A received scopedPDU could not be decrypted: the msgPrivacyParameters or the encryptedPDU
/// do not have the shape the privacy protocol requires. This is the "decryptionError"
/// indication of RFC 3414 section 8.3.2 and RFC 3826 section 3.3.2; the caller counts it in
/// usmStatsDecryptionErrors (RFC 3414 section 3.2 step 8).
/// </summary>
public sealed class UsmDecryptionException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public UsmDecryptionException()
        : base("The SNMPv3 scopedPDU could not be decrypted.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public UsmDecryptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the underlying cause.</summary>
    public UsmDecryptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
