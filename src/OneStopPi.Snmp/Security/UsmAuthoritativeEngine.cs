using System.Security.Cryptography;
using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Snmp.Security;

/// <summary>One USM user an authoritative engine knows, with keys localized to that engine (RFC 3414 2.1, 2.6).</summary>
internal sealed class UsmLocalUser
{
    private UsmLocalUser(byte[] name, AuthProtocol auth, byte[]? authKey, PrivProtocol priv, byte[]? privKey)
    {
        Name = name;
        Auth = auth;
        AuthKey = authKey;
        Priv = priv;
        PrivKey = privKey;
    }

    public byte[] Name { get; }

    public AuthProtocol Auth { get; }

    public byte[]? AuthKey { get; }

    public PrivProtocol Priv { get; }

    public byte[]? PrivKey { get; }

    /// <summary>The highest security level the user's keys allow (RFC 3414 3.2 step 5).</summary>
    public SecurityLevel Level => Auth == AuthProtocol.None ? SecurityLevel.NoAuthNoPriv
        : Priv == PrivProtocol.None ? SecurityLevel.AuthNoPriv : SecurityLevel.AuthPriv;

    /// <summary>
    /// Localizes the user's master keys (password-to-key outputs, computed once per password) to
    /// <paramref name="engineId"/>: one hash per engine, so a thousand engines sharing a user cost little.
    /// </summary>
    public static UsmLocalUser Create(string userName, AuthProtocol auth, byte[]? authMasterKey, PrivProtocol priv, byte[]? privMasterKey, ReadOnlySpan<byte> engineId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        if (auth == AuthProtocol.None)
        {
            return priv == PrivProtocol.None
                ? new UsmLocalUser(Encoding.UTF8.GetBytes(userName), auth, null, priv, null)
                : throw new ArgumentException("Privacy needs authentication.", nameof(priv));
        }

        ArgumentNullException.ThrowIfNull(authMasterKey);
        byte[] authKey = UsmKeys.Localize(auth, authMasterKey, engineId);
        byte[]? privKey = null;
        if (priv != PrivProtocol.None)
        {
            ArgumentNullException.ThrowIfNull(privMasterKey);
            privKey = UsmKeys.LocalizedPrivKeyFromMaster(auth, priv, privMasterKey, engineId);
        }

        return new UsmLocalUser(Encoding.UTF8.GetBytes(userName), auth, authKey, priv, privKey);
    }
}

/// <summary>What became of one incoming SNMPv3 message at the authoritative engine.</summary>
internal enum UsmInboundStatus
{
    /// <summary>Authentic, in time and decrypted: the scoped PDU is to be processed.</summary>
    Accepted,

    /// <summary>Refused with a Report PDU (RFC 3414 3.2 steps 3-7), ready to send in <see cref="UsmInbound.Report"/>.</summary>
    Report,

    /// <summary>Dropped without an answer: not parseable, not reportable, or not decryptable.</summary>
    Dropped,
}

/// <summary>The result of <see cref="UsmAuthoritativeEngine.Receive"/>: a request to serve, a report to send, or nothing.</summary>
internal sealed class UsmInbound
{
    public required UsmInboundStatus Status { get; init; }

    /// <summary>Why the message was dropped or reported (for counters and logs).</summary>
    public string? Reason { get; init; }

    /// <summary>The encoded Report message when <see cref="Status"/> is <see cref="UsmInboundStatus.Report"/>.</summary>
    public byte[]? Report { get; init; }

    public int MessageId { get; init; }

    /// <summary>msgMaxSize of the sender (RFC 3412 6.2): the largest message it accepts.</summary>
    public int MaxSize { get; init; }

    public SecurityLevel Level { get; init; }

    public ReadOnlyMemory<byte> UserName { get; init; }

    /// <summary>The decrypted scoped PDU when accepted.</summary>
    public ScopedPdu? Scoped { get; init; }
}

/// <summary>
/// The authoritative side of the User-based Security Model (RFC 3414 3.2, and 3.1 for the answers):
/// what an agent does with an incoming SNMPv3 request. It owns one engine (snmpEngineID, boots, time
/// since start) and at most one user, checks the steps of RFC 3414 3.2 in order and answers failures as
/// net-snmp's agent does: a Report carrying the usmStats counter that was incremented (unknown engine ID
/// with our boots and time for discovery, unknown user, unsupported security level, wrong digest; not in
/// time window signed, so the manager can trust the clock in it). A message that cannot be decrypted is
/// dropped in silence (net-snmp likewise fails to parse the garbage plaintext and sends nothing).
/// Only the read side of the protocol: the caller decides what the PDU may do.
/// </summary>
internal sealed class UsmAuthoritativeEngine
{
    /// <summary>RFC 3414 3.2 step 7a: the time window is 150 seconds.</summary>
    public const int TimeWindowSeconds = 150;

    /// <summary>RFC 3417 3.2 / 3412 6.2: we accept and send messages up to the largest UDP/IPv4 payload.</summary>
    public const int LocalMaxMessageSize = 65507;

    private static readonly ObjectIdentifier UsmStatsUnsupportedSecLevels = ObjectIdentifier.Parse("1.3.6.1.6.3.15.1.1.1.0");
    private static readonly ObjectIdentifier UsmStatsNotInTimeWindows = ObjectIdentifier.Parse("1.3.6.1.6.3.15.1.1.2.0");
    private static readonly ObjectIdentifier UsmStatsUnknownUserNames = ObjectIdentifier.Parse("1.3.6.1.6.3.15.1.1.3.0");
    private static readonly ObjectIdentifier UsmStatsUnknownEngineIds = ObjectIdentifier.Parse("1.3.6.1.6.3.15.1.1.4.0");
    private static readonly ObjectIdentifier UsmStatsWrongDigests = ObjectIdentifier.Parse("1.3.6.1.6.3.15.1.1.5.0");
    private static readonly byte[] NoBytes = [];

    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly uint _timeAtStart;
    private readonly UsmLocalUser? _user;
    private readonly UsmPrivacy _privacy;
    private long _unsupportedSecLevels, _notInTimeWindows, _unknownUserNames, _unknownEngineIds, _wrongDigests, _decryptionErrors, _parseErrors;

    /// <param name="engineId">snmpEngineID, 5..32 octets (RFC 3411 5).</param>
    /// <param name="engineBoots">snmpEngineBoots.</param>
    /// <param name="engineTimeAtStart">snmpEngineTime now; it advances one per second of <paramref name="time"/>.</param>
    /// <param name="user">The one user this engine serves, with keys localized to <paramref name="engineId"/>; null for none.</param>
    /// <param name="privacy">Salt source for encrypted answers (shared by engines is fine: it is atomic).</param>
    /// <param name="time">Monotonic clock for snmpEngineTime.</param>
    public UsmAuthoritativeEngine(byte[] engineId, uint engineBoots, uint engineTimeAtStart, UsmLocalUser? user, UsmPrivacy privacy, TimeProvider time)
    {
        if (engineId.Length is < 5 or > 32)
        {
            throw new ArgumentException("An snmpEngineID is 5 to 32 octets (RFC 3411 5).", nameof(engineId));
        }

        EngineId = engineId;
        EngineBoots = engineBoots;
        _timeAtStart = engineTimeAtStart;
        _user = user;
        _privacy = privacy;
        _time = time;
        _startTimestamp = time.GetTimestamp();
    }

    public byte[] EngineId { get; }

    public uint EngineBoots { get; }

    /// <summary>snmpEngineTime: seconds since start, capped at 2^31-1 (RFC 3414 2.2.1).</summary>
    public uint EngineTime => (uint)Math.Min(int.MaxValue, _timeAtStart + (long)_time.GetElapsedTime(_startTimestamp).TotalSeconds);

    public UsmLocalUser? User => _user;

    /// <summary>The usmStats counters (RFC 3414 5) plus the messages dropped for undecryptable or malformed contents.</summary>
    public UsmEngineStatistics Statistics => new(
        Interlocked.Read(ref _unsupportedSecLevels), Interlocked.Read(ref _notInTimeWindows), Interlocked.Read(ref _unknownUserNames),
        Interlocked.Read(ref _unknownEngineIds), Interlocked.Read(ref _wrongDigests), Interlocked.Read(ref _decryptionErrors),
        Interlocked.Read(ref _parseErrors));

    /// <summary>RFC 3414 3.2: processes one SNMPv3 datagram. Never throws for bad input.</summary>
    public UsmInbound Receive(ReadOnlySpan<byte> datagram)
    {
        V3Message message;
        try
        {
            message = V3Message.Decode(datagram);
        }
        catch (SnmpDecodeException e)
        {
            // RFC 3412 7.2 steps 2-5: snmpInASNParseErrs, snmpUnknownSecurityModels, snmpInvalidMsgs: discard.
            Interlocked.Increment(ref _parseErrors);
            return Drop(e.Message);
        }

        bool authFlag = (message.Flags & V3MessageFlags.Authenticated) != 0;
        bool privFlag = (message.Flags & V3MessageFlags.Private) != 0;
        bool reportable = (message.Flags & V3MessageFlags.Reportable) != 0;
        SecurityLevel level = !authFlag ? SecurityLevel.NoAuthNoPriv : privFlag ? SecurityLevel.AuthPriv : SecurityLevel.AuthNoPriv;
        UsmSecurityParameters usm = message.Usm;

        // Step 3: the engine ID must be ours; discovery (RFC 3414 4) arrives here with an empty one.
        if (!usm.EngineId.Span.SequenceEqual(EngineId))
        {
            long count = Interlocked.Increment(ref _unknownEngineIds);
            return RefuseUnauthenticated(message, reportable, UsmStatsUnknownEngineIds, count, "unknown engine ID");
        }

        // Step 4: the user.
        UsmLocalUser? user = _user;
        if (user is null || !usm.UserName.Span.SequenceEqual(user.Name))
        {
            long count = Interlocked.Increment(ref _unknownUserNames);
            return RefuseUnauthenticated(message, reportable, UsmStatsUnknownUserNames, count, "unknown user name");
        }

        // Step 5: the level asked for must be one the user's keys allow.
        if (level > user.Level)
        {
            long count = Interlocked.Increment(ref _unsupportedSecLevels);
            return RefuseUnauthenticated(message, reportable, UsmStatsUnsupportedSecLevels, count, "unsupported security level");
        }

        if (authFlag)
        {
            // Step 6: the MAC (RFC 3414 6.3.2 / 7.3.2, RFC 7860 4.2.2).
            ReadOnlySpan<byte> mac = usm.AuthenticationParameters.Span;
            bool authentic = false;
            if (mac.Length == UsmAuthentication.MacLength(user.Auth))
            {
                byte[] zeroed = datagram.ToArray();
                zeroed.AsSpan(message.AuthenticationParametersOffset, mac.Length).Clear();
                authentic = UsmAuthentication.Verify(user.Auth, user.AuthKey!, zeroed, mac);
            }

            if (!authentic)
            {
                long count = Interlocked.Increment(ref _wrongDigests);
                return RefuseUnauthenticated(message, reportable, UsmStatsWrongDigests, count, "wrong digest");
            }

            // Step 7a: the time window, checked against our own clock.
            uint now = EngineTime;
            if (EngineBoots >= int.MaxValue || usm.EngineBoots != EngineBoots || Math.Abs((long)usm.EngineTime - now) > TimeWindowSeconds)
            {
                long count = Interlocked.Increment(ref _notInTimeWindows);
                if (!reportable)
                {
                    return Drop("not in time window");
                }

                // The report is authenticated (authNoPriv) so the manager can take our boots and time from it.
                ScopedPdu? readable = message.ScopedPdu;
                var report = new ScopedPdu(EngineId, readable?.ContextName ?? NoBytes,
                    Pdu.Report(readable?.Pdu.RequestId ?? 0, [new Varbind(UsmStatsNotInTimeWindows, SnmpValue.Counter32(unchecked((uint)count)))]));
                return new UsmInbound
                {
                    Status = UsmInboundStatus.Report,
                    Reason = "not in time window",
                    Report = Encode(message.MessageId, SecurityLevel.AuthNoPriv, usm.UserName, user, report),
                    MessageId = message.MessageId,
                    MaxSize = message.MaxSize,
                    Level = level,
                    UserName = usm.UserName,
                };
            }
        }

        // Step 8: decryption. Undecryptable messages are dropped in silence.
        ScopedPdu? scoped = message.ScopedPdu;
        if (privFlag)
        {
            if (scoped is not null)
            {
                Interlocked.Increment(ref _parseErrors);
                return Drop("privFlag set but the scoped PDU is plaintext");
            }

            try
            {
                byte[] plaintext = UsmPrivacy.Decrypt(user.Priv, user.PrivKey!, usm.EngineBoots, usm.EngineTime, usm.PrivacyParameters.Span, message.EncryptedPdu.Span);
                scoped = ScopedPdu.Decode(plaintext);
            }
            catch (Exception e) when (e is UsmDecryptionException or SnmpDecodeException or CryptographicException)
            {
                Interlocked.Increment(ref _decryptionErrors);
                return Drop("decryption failed: " + e.Message);
            }
        }
        else if (scoped is null)
        {
            Interlocked.Increment(ref _parseErrors);
            return Drop("encrypted scoped PDU without privFlag");
        }

        return new UsmInbound
        {
            Status = UsmInboundStatus.Accepted,
            MessageId = message.MessageId,
            MaxSize = message.MaxSize,
            Level = level,
            UserName = usm.UserName,
            Scoped = scoped,
        };
    }

    /// <summary>
    /// RFC 3414 3.1 for a response (or a Report about the PDU, e.g. an unknown context) to an accepted request:
    /// same user and security level, our engine's boots and time, signed and encrypted as the request was.
    /// </summary>
    public byte[] EncodeResponse(UsmInbound request, ReadOnlyMemory<byte> contextName, Pdu pdu)
    {
        if (request.Status != UsmInboundStatus.Accepted)
        {
            throw new ArgumentException("Only an accepted request gets a response.", nameof(request));
        }

        return Encode(request.MessageId, request.Level, request.UserName, _user, new ScopedPdu(EngineId, contextName, pdu));
    }

    /// <summary>The size of the answer to <paramref name="request"/> with no varbinds: what a PDU's varbinds may add to is the rest.</summary>
    public int ResponseOverhead(UsmInbound request, ReadOnlyMemory<byte> contextName) =>
        EncodeResponse(request, contextName, Pdu.Response(int.MaxValue, SnmpErrorStatus.NoError, 0, [])).Length;

    private UsmInbound RefuseUnauthenticated(V3Message message, bool reportable, ObjectIdentifier counter, long count, string reason)
    {
        if (!reportable)
        {
            return Drop(reason);
        }

        // RFC 3412 7.1 step 3 and RFC 3414 3.1.1: the report goes at noAuthNoPriv, to the user named in the request,
        // and carries our engine ID, boots and time (which is what engine discovery wants).
        ScopedPdu? readable = message.ScopedPdu;
        var report = new ScopedPdu(EngineId, readable?.ContextName ?? NoBytes,
            Pdu.Report(readable?.Pdu.RequestId ?? 0, [new Varbind(counter, SnmpValue.Counter32(unchecked((uint)count)))]));
        return new UsmInbound
        {
            Status = UsmInboundStatus.Report,
            Reason = reason,
            Report = Encode(message.MessageId, SecurityLevel.NoAuthNoPriv, message.Usm.UserName, null, report),
            MessageId = message.MessageId,
            MaxSize = message.MaxSize,
            UserName = message.Usm.UserName,
        };
    }

    private byte[] Encode(int messageId, SecurityLevel level, ReadOnlyMemory<byte> userName, UsmLocalUser? user, ScopedPdu scoped)
    {
        uint boots = EngineBoots;
        uint time = EngineTime;
        byte[] plaintext = scoped.Encode();
        byte[] msgData = plaintext;
        byte[] authParameters = NoBytes;
        byte[] privParameters = NoBytes;
        V3MessageFlags flags = V3MessageFlags.None;
        if (level >= SecurityLevel.AuthNoPriv)
        {
            flags |= V3MessageFlags.Authenticated;
            authParameters = new byte[UsmAuthentication.MacLength(user!.Auth)];
            if (level == SecurityLevel.AuthPriv)
            {
                flags |= V3MessageFlags.Private;
                msgData = _privacy.Encrypt(user.Priv, user.PrivKey!, boots, time, plaintext, out privParameters);
            }
        }

        var parameters = new UsmSecurityParameters(EngineId, boots, time, userName, authParameters, privParameters);
        byte[] datagram = V3Message.Encode(messageId, LocalMaxMessageSize, flags, parameters, msgData, (flags & V3MessageFlags.Private) != 0, out int authOffset);
        if (level >= SecurityLevel.AuthNoPriv)
        {
            UsmAuthentication.Sign(user!.Auth, user.AuthKey!, datagram, datagram.AsSpan(authOffset, authParameters.Length));
        }

        return datagram;
    }

    private static UsmInbound Drop(string reason) => new() { Status = UsmInboundStatus.Dropped, Reason = reason };
}

/// <summary>An authoritative engine's counters (RFC 3414 5 usmStats, plus drops).</summary>
internal readonly record struct UsmEngineStatistics(
    long UnsupportedSecLevels, long NotInTimeWindows, long UnknownUserNames, long UnknownEngineIds, long WrongDigests,
    long DecryptionErrors, long ParseErrors);
