namespace OneStopPi.Snmp.Security;

/// <summary>
/// USM privacy protocols. The AES-192/256 variants differ only in how a localized key that
/// is shorter than the AES key is extended (see <see cref="UsmKeys.LocalizedPrivKey"/>);
/// the cipher itself is the RFC 3826 AES-CFB128 construction for all of them.
/// </summary>
public enum PrivProtocol
{
    /// <summary>noPriv: usmNoPrivProtocol (RFC 3414 section 5).</summary>
    None,

    /// <summary>usmDESPrivProtocol, CBC-DES (RFC 3414 section 8).</summary>
    Des,

    /// <summary>usm3DESEDEPrivProtocol, 3DES-EDE in outside CBC mode (draft-reeder-snmpv3-usm-3desede-00).</summary>
    TripleDes,

    /// <summary>usmAesCfb128Protocol (RFC 3826).</summary>
    Aes128,

    /// <summary>
    /// AES-CFB with a 192-bit key, key extended per draft-blumenthal-aes-usm-04 section 3.1.2.1
    /// (net-snmp "AES-192", snmpsim AES192BLMT, pysnmp usmAesBlumenthalCfb192Protocol).
    /// </summary>
    Aes192,

    /// <summary>
    /// AES-CFB with a 256-bit key, key extended per draft-blumenthal-aes-usm-04 section 3.1.2.1
    /// (net-snmp "AES-256", snmpsim AES256BLMT, pysnmp usmAesBlumenthalCfb256Protocol).
    /// </summary>
    Aes256,

    /// <summary>
    /// AES-CFB with a 192-bit key, key extended by chaining password-to-key as in
    /// draft-reeder-snmpv3-usm-3desede-00 section 2.1 ("Cisco" style; net-snmp "AES-192-C",
    /// snmpsim AES192, pysnmp usmAesCfb192Protocol).
    /// </summary>
    Aes192Reeder,

    /// <summary>
    /// AES-CFB with a 256-bit key, key extended by chaining password-to-key as in
    /// draft-reeder-snmpv3-usm-3desede-00 section 2.1 ("Cisco" style; net-snmp "AES-256-C",
    /// snmpsim AES256, pysnmp usmAesCfb256Protocol).
    /// </summary>
    Aes256Reeder,
}
