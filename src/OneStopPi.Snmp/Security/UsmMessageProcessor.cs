using System.Security.Cryptography;
using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Snmp.Security;

/// <summary>The outcome of processing one incoming SNMPv3 message for a pending request.</summary>
internal enum UsmIncomingStatus
{
    Accepted,

    /// <summary>Failed authentication, decryption or the security level we asked for: not from our agent, drop it.</summary>
    Rejected,
}

/// <summary>
/// Builds outgoing SNMPv3 messages and checks incoming ones for the User-based Security Model:
/// engine discovery (RFC 3414 4), signing (6.3.1), encryption (8.1.1, RFC 3826 3.1.3), and on
/// receipt the MAC check, clock observation and decryption (3.2).
/// </summary>
internal sealed class UsmMessageProcessor
{
    private static readonly byte[] NoBytes = [];
    private readonly UsmPrivacy _privacy;

    public UsmMessageProcessor(UsmPrivacy privacy) => _privacy = privacy;

    /// <summary>RFC 3414 4: a reportable noAuthNoPriv request with an empty engine ID and user.</summary>
    public static byte[] EncodeDiscovery(int messageId, int maxSize)
    {
        var scoped = new ScopedPdu(NoBytes, NoBytes, Pdu.GetRequest(messageId, []));
        var usm = new UsmSecurityParameters(NoBytes, 0, 0, NoBytes, NoBytes, NoBytes);
        return V3Message.Encode(messageId, maxSize, V3MessageFlags.Reportable, usm, scoped.Encode(), encrypted: false, out _);
    }

    public byte[] EncodeRequest(int messageId, int maxSize, UsmCredentials credentials, UsmLocalizedKeys? keys, RemoteEngine engine, Pdu pdu)
    {
        (uint boots, uint time) = engine.Now();
        ReadOnlyMemory<byte> contextEngineId = credentials.ContextEngineId.IsEmpty ? engine.EngineId : credentials.ContextEngineId;
        byte[] scoped = new ScopedPdu(contextEngineId, Encoding.UTF8.GetBytes(credentials.ContextName), pdu).Encode();

        V3MessageFlags flags = V3MessageFlags.Reportable;
        byte[] msgData = scoped;
        byte[] privParameters = NoBytes;
        byte[] authParameters = NoBytes;
        if (credentials.Auth != AuthProtocol.None)
        {
            flags |= V3MessageFlags.Authenticated;
            authParameters = new byte[UsmAuthentication.MacLength(credentials.Auth)];
            if (credentials.Priv != PrivProtocol.None)
            {
                flags |= V3MessageFlags.Private;
                msgData = _privacy.Encrypt(credentials.Priv, keys!.PrivKey, boots, time, scoped, out privParameters);
            }
        }

        var usm = new UsmSecurityParameters(engine.EngineId, boots, time, Encoding.UTF8.GetBytes(credentials.UserName), authParameters, privParameters);
        byte[] datagram = V3Message.Encode(messageId, maxSize, flags, usm, msgData, (flags & V3MessageFlags.Private) != 0, out int authOffset);
        if (credentials.Auth != AuthProtocol.None)
        {
            // RFC 3414 6.3.1: the MAC covers the whole message with the MAC field zeroed.
            UsmAuthentication.Sign(credentials.Auth, keys!.AuthKey, datagram, datagram.AsSpan(authOffset, authParameters.Length));
        }

        return datagram;
    }

    /// <summary>
    /// Checks an incoming message that matched a request from <paramref name="credentials"/>.
    /// Unauthenticated Reports are accepted (RFC 3414 3.2 lets an agent report at noAuthNoPriv),
    /// anything else must come at the security level we asked for.
    /// </summary>
    public static UsmIncomingStatus Process(ReadOnlySpan<byte> datagram, V3Message message, UsmCredentials credentials,
        UsmLocalizedKeys? keys, RemoteEngine? engine, out ScopedPdu? scoped, out string? rejection)
    {
        scoped = message.ScopedPdu;
        rejection = null;
        bool authenticated = (message.Flags & V3MessageFlags.Authenticated) != 0;
        if (authenticated)
        {
            if (keys is null || credentials.Auth == AuthProtocol.None || engine is null
                || !message.Usm.EngineId.Span.SequenceEqual(engine.EngineId))
            {
                rejection = "authenticated message from an unexpected engine";
                return UsmIncomingStatus.Rejected;
            }

            ReadOnlySpan<byte> mac = message.Usm.AuthenticationParameters.Span;
            if (mac.Length != UsmAuthentication.MacLength(credentials.Auth))
            {
                rejection = $"msgAuthenticationParameters of {mac.Length} octets";
                return UsmIncomingStatus.Rejected;
            }

            byte[] zeroed = datagram.ToArray();
            zeroed.AsSpan(message.AuthenticationParametersOffset, mac.Length).Clear();
            if (!UsmAuthentication.Verify(credentials.Auth, keys.AuthKey, zeroed, mac))
            {
                rejection = "wrong MAC";
                return UsmIncomingStatus.Rejected;
            }

            engine.ObserveAuthentic(message.Usm.EngineBoots, message.Usm.EngineTime);
        }

        if (scoped is null)
        {
            if ((message.Flags & V3MessageFlags.Private) == 0 || keys?.PrivKey is null)
            {
                rejection = "encrypted PDU without privacy";
                return UsmIncomingStatus.Rejected;
            }

            try
            {
                byte[] plaintext = UsmPrivacy.Decrypt(credentials.Priv, keys.PrivKey, message.Usm.EngineBoots, message.Usm.EngineTime,
                    message.Usm.PrivacyParameters.Span, message.EncryptedPdu.Span);
                scoped = ScopedPdu.Decode(plaintext);
            }
            catch (Exception e) when (e is UsmDecryptionException or SnmpDecodeException or CryptographicException)
            {
                rejection = "decryption failed: " + e.Message;
                return UsmIncomingStatus.Rejected;
            }
        }

        if (scoped.Pdu.Type == PduType.Report)
        {
            return UsmIncomingStatus.Accepted;
        }

        bool wantedPrivacy = credentials.Priv != PrivProtocol.None;
        if (authenticated != (credentials.Auth != AuthProtocol.None) || ((message.Flags & V3MessageFlags.Private) != 0) != wantedPrivacy)
        {
            rejection = "response at another security level than the request";
            scoped = null;
            return UsmIncomingStatus.Rejected;
        }

        return UsmIncomingStatus.Accepted;
    }
}
