using System.Formats.Asn1;
using OneStopPi.Snmp.Ber;

namespace OneStopPi.Snmp.Messages;

/// <summary>
/// An SNMPv3 message (RFC 3412 6) with the User-based Security Model's parameters (RFC 3414 2.4).
/// The scoped PDU is either plaintext or, with privacy, still encrypted: decryption and
/// authentication belong to <see cref="Security.UsmMessageProcessor"/>, not to the codec.
/// </summary>
internal sealed class V3Message
{
    /// <summary>RFC 3414 1.5: the User-based Security Model's number.</summary>
    public const int UserBasedSecurityModel = 3;

    public required int MessageId { get; init; }

    public required int MaxSize { get; init; }

    public required V3MessageFlags Flags { get; init; }

    public required UsmSecurityParameters Usm { get; init; }

    /// <summary>The plaintext scoped PDU; null when <see cref="EncryptedPdu"/> holds it.</summary>
    public ScopedPdu? ScopedPdu { get; init; }

    public ReadOnlyMemory<byte> EncryptedPdu { get; init; }

    /// <summary>Absolute offset of msgAuthenticationParameters' contents in the datagram.</summary>
    public int AuthenticationParametersOffset { get; init; }

    /// <summary>
    /// Encodes a message. <paramref name="msgData"/> is an encoded ScopedPDU SEQUENCE, or the
    /// ciphertext when <paramref name="encrypted"/>. The caller fills the authentication parameters
    /// (zeros of the MAC length) and signs afterwards at <paramref name="authenticationParametersOffset"/>.
    /// </summary>
    public static byte[] Encode(int messageId, int maxSize, V3MessageFlags flags, UsmSecurityParameters usm, ReadOnlySpan<byte> msgData, bool encrypted, out int authenticationParametersOffset)
    {
        AsnWriter securityWriter = SnmpEncoder.CreateWriter(128);
        using (securityWriter.PushSequence())
        {
            securityWriter.WriteOctetString(usm.EngineId.Span);
            securityWriter.WriteInteger(usm.EngineBoots);
            securityWriter.WriteInteger(usm.EngineTime);
            securityWriter.WriteOctetString(usm.UserName.Span);
            securityWriter.WriteOctetString(usm.AuthenticationParameters.Span);
            securityWriter.WriteOctetString(usm.PrivacyParameters.Span);
        }

        AsnWriter writer = SnmpEncoder.CreateWriter(msgData.Length + 192);
        using (writer.PushSequence())
        {
            writer.WriteInteger((int)SnmpVersion.V3);
            using (writer.PushSequence())
            {
                writer.WriteInteger(messageId);
                writer.WriteInteger(maxSize);
                writer.WriteOctetString([(byte)flags]);
                writer.WriteInteger(UserBasedSecurityModel);
            }

            writer.WriteOctetString(securityWriter.Encode());
            if (encrypted)
            {
                writer.WriteOctetString(msgData);
            }
            else
            {
                writer.WriteEncodedValue(msgData);
            }
        }

        byte[] datagram = writer.Encode();
        authenticationParametersOffset = ReadEnvelope(datagram, out _, out _, out _, out _, out _);
        return datagram;
    }

    public static V3Message Decode(ReadOnlySpan<byte> datagram)
    {
        int authOffset = ReadEnvelope(datagram, out int messageId, out int maxSize, out V3MessageFlags flags, out UsmSecurityParameters usm, out BerReader rest);
        ScopedPdu? scoped = null;
        ReadOnlyMemory<byte> encrypted = default;
        if (rest.PeekIdentifier() == BerTag.OctetString)
        {
            encrypted = rest.ReadOctetString("encryptedPDU").ToArray();
        }
        else
        {
            scoped = Messages.ScopedPdu.Read(ref rest);
        }

        rest.ThrowIfTrailingData("msgData");
        return new V3Message
        {
            MessageId = messageId,
            MaxSize = maxSize,
            Flags = flags,
            Usm = usm,
            ScopedPdu = scoped,
            EncryptedPdu = encrypted,
            AuthenticationParametersOffset = authOffset,
        };
    }

    /// <summary>Reads everything up to msgData; returns the authentication parameters' offset.</summary>
    private static int ReadEnvelope(ReadOnlySpan<byte> datagram, out int messageId, out int maxSize, out V3MessageFlags flags, out UsmSecurityParameters usm, out BerReader rest)
    {
        rest = MessageHeader.OpenMessage(datagram, out SnmpVersion version);
        if (version != SnmpVersion.V3)
        {
            throw new SnmpDecodeException($"Expected an SNMPv3 message, found {version}.");
        }

        BerReader header = rest.ReadSequence("msgGlobalData");
        messageId = header.ReadInt32("msgID");
        maxSize = header.ReadInt32("msgMaxSize");
        ReadOnlySpan<byte> flagOctets = header.ReadOctetString("msgFlags");
        if (flagOctets.Length != 1)
        {
            throw new SnmpDecodeException($"msgFlags of {flagOctets.Length} octets (RFC 3412 6.4 says 1).");
        }

        flags = (V3MessageFlags)(flagOctets[0] & 0x07);
        long model = header.ReadInteger("msgSecurityModel");
        header.ThrowIfTrailingData("msgGlobalData");
        if (model != UserBasedSecurityModel)
        {
            throw new SnmpDecodeException($"Unsupported security model {model}; only USM (3).");
        }

        if ((flags & (V3MessageFlags.Private | V3MessageFlags.Authenticated)) == V3MessageFlags.Private)
        {
            throw new SnmpDecodeException("privFlag without authFlag (RFC 3412 7.2 step 5).");
        }

        ReadOnlySpan<byte> securityOctets = rest.ReadOctetString("msgSecurityParameters", out int securityOffset);
        var securityReader = new BerReader(securityOctets, securityOffset);
        BerReader parameters = securityReader.ReadSequence("UsmSecurityParameters");
        byte[] engineId = parameters.ReadOctetString("msgAuthoritativeEngineID").ToArray();
        long boots = parameters.ReadInteger("msgAuthoritativeEngineBoots");
        long time = parameters.ReadInteger("msgAuthoritativeEngineTime");
        byte[] userName = parameters.ReadOctetString("msgUserName").ToArray();
        byte[] authParameters = parameters.ReadOctetString("msgAuthenticationParameters", out int authOffset).ToArray();
        byte[] privParameters = parameters.ReadOctetString("msgPrivacyParameters").ToArray();
        parameters.ThrowIfTrailingData("UsmSecurityParameters");

        // RFC 3414 2.4: engineBoots and engineTime are 0..2^31-1; userName at most 32 octets.
        if (boots is < 0 or > int.MaxValue || time is < 0 or > int.MaxValue)
        {
            throw new SnmpDecodeException("msgAuthoritativeEngineBoots/Time out of range 0..2147483647.");
        }

        if (engineId.Length > 32 || userName.Length > 32)
        {
            throw new SnmpDecodeException("msgAuthoritativeEngineID or msgUserName longer than 32 octets.");
        }

        usm = new UsmSecurityParameters(engineId, (uint)boots, (uint)time, userName, authParameters, privParameters);
        return authOffset;
    }
}
