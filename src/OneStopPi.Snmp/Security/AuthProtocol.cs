namespace OneStopPi.Snmp.Security;

/// <summary>
/// USM authentication protocols: HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414 section 6 and 7)
/// and the HMAC-SHA-2 family (RFC 7860 section 4).
/// </summary>
public enum AuthProtocol
{
    /// <summary>noAuth: usmNoAuthProtocol (RFC 3414 section 5).</summary>
    None,

    /// <summary>usmHMACMD5AuthProtocol (RFC 3414 section 6): 16-octet key, 12-octet MAC.</summary>
    Md5,

    /// <summary>usmHMACSHAAuthProtocol (RFC 3414 section 7): 20-octet key, 12-octet MAC.</summary>
    Sha1,

    /// <summary>usmHMAC128SHA224AuthProtocol (RFC 7860): 28-octet key, 16-octet MAC.</summary>
    Sha224,

    /// <summary>usmHMAC192SHA256AuthProtocol (RFC 7860): 32-octet key, 24-octet MAC.</summary>
    Sha256,

    /// <summary>usmHMAC256SHA384AuthProtocol (RFC 7860): 48-octet key, 32-octet MAC.</summary>
    Sha384,

    /// <summary>usmHMAC384SHA512AuthProtocol (RFC 7860): 64-octet key, 48-octet MAC.</summary>
    Sha512,
}
